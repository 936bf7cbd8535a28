"""Role and team look-ups are read once per request scope and never carried past it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kundenversteher.cases.access import (
    AccessMemoMiddleware,
    request_scope,
    role_of,
    team_ids_of,
)
from kundenversteher.cases.models import AgentProfile, Case, Role
from kundenversteher.customers.models import Customer
from tests.cases.factories import make_case, make_user

MIDDLEWARE = "kundenversteher.cases.access.AccessMemoMiddleware"


def _visible_numbers(user: object) -> set[str]:
    return set(Case.objects.visible_to(user).values_list("number", flat=True))  # type: ignore[arg-type]


def _in_team(personas, team) -> Case:  # type: ignore[no-untyped-def]
    case = make_case(subject=f"Fall {team.name}")
    Case.objects.filter(pk=case.pk).update(team=team)
    return Case.objects.get(pk=case.pk)


def test_inside_a_scope_role_and_teams_are_read_once(personas):
    anna = personas.anna
    with request_scope():
        with CaptureQueriesContext(connection) as first:
            assert role_of(anna) == "agent"
            assert team_ids_of(anna) == [personas.service.pk]
        with CaptureQueriesContext(connection) as again:
            for _ in range(5):
                assert role_of(anna) == "agent"
                assert team_ids_of(anna) == [personas.service.pk]
                str(Case.objects.visible_to(anna).query)
    assert len(first) == 2  # the profile, the team ids
    assert len(again) == 0


def test_outside_a_scope_every_call_reads_the_database(personas):
    anna = personas.anna
    role_of(anna)
    with CaptureQueriesContext(connection) as queries:
        role_of(anna)
        team_ids_of(anna)
    assert len(queries) == 2


def test_outside_a_scope_a_team_change_is_seen_at_once_on_the_same_user_object(personas):
    anna = personas.anna
    restricted = _in_team(personas, personas.buchhaltung)
    assert restricted.number not in _visible_numbers(anna)
    AgentProfile.objects.get(user=anna).teams.add(personas.buchhaltung)
    assert restricted.number in _visible_numbers(anna)
    AgentProfile.objects.filter(user=anna).update(role=Role.SUPERVISOR)
    assert role_of(anna) == "supervisor"


def test_a_new_scope_does_not_reuse_the_memo_of_an_earlier_one(personas):
    anna = personas.anna
    restricted = _in_team(personas, personas.buchhaltung)
    with request_scope():
        assert restricted.number not in _visible_numbers(anna)
        assert role_of(anna) == "agent"
    AgentProfile.objects.get(user=anna).teams.add(personas.buchhaltung)
    AgentProfile.objects.filter(user=anna).update(role=Role.SUPERVISOR)
    with request_scope():
        assert restricted.number in _visible_numbers(anna)
        assert role_of(anna) == "supervisor"
    # ... and after the scope, nothing memoised is used either.
    AgentProfile.objects.get(user=anna).teams.remove(personas.buchhaltung)
    assert restricted.number not in _visible_numbers(anna)


def test_a_user_without_a_role_is_not_memoised_as_such(db):
    newcomer = make_user("neu")
    with request_scope():
        assert role_of(newcomer) is None
        assert Case.objects.visible_to(newcomer).count() == 0
        Customer.objects.create(first_name="Nina", last_name="Neu", user=newcomer)
        assert role_of(newcomer) == "customer"


def test_memos_are_per_user(personas):
    with request_scope():
        assert [role_of(u) for u in (personas.anna, personas.sabine, personas.ben)] == [
            "agent",
            "supervisor",
            "agent",
        ]
        assert team_ids_of(personas.ben) == [personas.buchhaltung.pk]
        assert team_ids_of(personas.anna) == [personas.service.pk]


def test_the_middleware_scopes_each_request(personas, settings):
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    restricted = _in_team(personas, personas.buchhaltung)
    client = Client()
    client.force_login(personas.anna)
    path = f"/cases/{restricted.number}/"
    assert client.get(path).status_code == 404
    AgentProfile.objects.get(user=personas.anna).teams.add(personas.buchhaltung)
    assert client.get(path).status_code == 200
    AgentProfile.objects.get(user=personas.anna).teams.remove(personas.buchhaltung)
    assert client.get(path).status_code == 404


def test_the_middleware_closes_its_scope_even_when_the_view_fails(personas):
    def failing(request: object) -> object:
        assert role_of(personas.anna) == "agent"
        raise RuntimeError("Ansicht fehlgeschlagen")

    middleware = AccessMemoMiddleware(failing)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        middleware(object())  # type: ignore[arg-type]
    AgentProfile.objects.filter(user=personas.anna).update(role=Role.SUPERVISOR)
    assert role_of(personas.anna) == "supervisor"
