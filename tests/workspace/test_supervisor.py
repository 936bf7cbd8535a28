"""The supervisor screen /team/: access, queues, load and presence, attention list, reassignment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from kundenversteher.cases.models import Case, Team
from kundenversteher.workspace import presence
from kundenversteher.workspace.supervisor import AgentLoad, TeamQueue
from tests.cases.factories import Personas, make_agent, make_case, make_personas

URL = "/team/"
ASSIGN_URL = "/team/assign/"


@pytest.fixture
def people(db: None) -> Personas:
    return make_personas()


def case_in(
    team: Team | None,
    *,
    subject: str = "Heizung",
    status: str = "new",
    assignee: Any = None,
    due_in: timedelta | None = None,
) -> Case:
    """A case placed directly (routing would pick an agent by load: not what these tests vary)."""
    case = make_case(subject=subject, route=False)
    due = timezone.now() + due_in if due_in is not None else None
    Case.objects.filter(pk=case.pk).update(
        team=team,
        status=status,
        assignee=assignee,
        first_response_due=due,
        next_response_due=None,
        resolution_due=None,
    )
    case.refresh_from_db()
    return case


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queue_named(response: Any, name: str) -> TeamQueue:
    return next(q for q in response.context["queues"] if q.name == name)


@pytest.mark.parametrize("who", ["anna", "clara"])
def test_agents_and_customers_are_refused(people, who):
    response = client_for(getattr(people, who)).get(URL)

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(db):
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/team/"


def test_a_supervisor_sees_the_queues_of_her_teams_and_the_unrouted_ones(people):
    case_in(people.service, status="new")
    case_in(people.service, status="new", assignee=people.anna)
    case_in(people.service, status="open", assignee=people.anna, due_in=timedelta(minutes=-5))
    case_in(people.service, status="waiting_customer", assignee=people.anna)
    case_in(people.service, status="resolved", assignee=people.anna)
    case_in(people.buchhaltung, status="new")
    case_in(None, status="new", due_in=timedelta(minutes=30))

    response = client_for(people.sabine).get(URL)

    assert response.status_code == 200
    assert [q.name for q in response.context["queues"]] == ["Service", "Ohne Team"]
    assert queue_named(response, "Service") == TeamQueue(
        team_id=people.service.pk,
        name="Service",
        restricted=False,
        new=2,
        open=1,
        waiting=1,
        unassigned=1,
        breached=1,
        due_soon=0,
        total=4,
    )
    assert queue_named(response, "Ohne Team").due_soon == 1
    assert b"Buchhaltung" not in response.content


def test_an_admin_sees_every_team_including_restricted_ones(people):
    case_in(people.buchhaltung, status="new")

    response = client_for(people.admin).get(URL)

    assert [q.name for q in response.context["queues"]] == ["Buchhaltung", "Service", "Ohne Team"]
    assert queue_named(response, "Buchhaltung").new == 1


def test_the_team_filter_limits_queues_and_the_attention_list(people):
    service_case = case_in(people.service)
    case_in(None, subject="Unverteilt")

    response = client_for(people.sabine).get(URL, {"team": people.service.pk})

    assert [q.name for q in response.context["queues"]] == ["Service"]
    assert [item.case.pk for item in response.context["attention"]] == [service_case.pk]


def test_a_supervisor_cannot_filter_on_a_team_she_does_not_lead(people):
    case_in(people.buchhaltung, subject="Vertraulich")

    response = client_for(people.sabine).get(URL, {"team": people.buchhaltung.pk})

    assert [q.name for q in response.context["queues"]] == ["Service", "Ohne Team"]
    assert b"Vertraulich" not in response.content


def test_agent_load_shows_open_cases_capacity_absence_and_presence(people):
    now = timezone.now()
    case_in(people.service, status="open", assignee=people.anna)
    case_in(people.service, status="waiting_customer", assignee=people.anna)
    case_in(people.service, status="closed", assignee=people.anna)
    make_agent("carla", teams=[people.service], capacity=1, absent_until=now + timedelta(days=2))
    presence.mark_connected(user_id=people.anna.pk)

    response = client_for(people.sabine).get(URL)

    loads = {load.name: load for load in response.context["agents"]}
    assert sorted(loads) == ["Anna", "Carla", "Sabine"]
    anna = loads["Anna"]
    assert (anna.open_cases, anna.capacity, anna.load_percent, anna.online) == (2, 10, 20, True)
    assert anna.absent_until is None
    assert loads["Sabine"].online is False
    assert loads["Carla"].absent_until is not None
    assert isinstance(anna, AgentLoad)


def test_the_attention_list_puts_breaches_first_then_due_soon_then_unassigned(people):
    unassigned = case_in(people.service, subject="Unverteilt")
    due = case_in(people.service, assignee=people.anna, due_in=timedelta(minutes=20))
    breached = case_in(people.service, assignee=people.anna, due_in=timedelta(minutes=-1))
    case_in(people.service, assignee=people.anna, subject="Alles gut")

    response = client_for(people.sabine).get(URL)

    attention = [
        (item.case.pk, item.breached, item.due_soon) for item in response.context["attention"]
    ]
    assert attention == [
        (breached.pk, True, False),
        (due.pk, False, True),
        (unassigned.pk, False, False),
    ]


def test_reassigning_selected_cases_assigns_them_and_says_so(people):
    first = case_in(people.service)
    second = case_in(people.service, assignee=people.sabine)

    response = client_for(people.sabine).post(
        ASSIGN_URL,
        {
            "case": [first.pk, second.pk],
            f"version-{first.pk}": first.version,
            f"version-{second.pk}": second.version,
            "agent": people.anna.pk,
            "team": str(people.service.pk),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/team/?team={people.service.pk}"
    assert set(Case.objects.filter(assignee=people.anna).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"2 Anliegen zugewiesen: {first.number}, {second.number}"
    ]


def test_a_case_changed_since_the_page_was_shown_is_reported_not_overwritten(people):
    case = case_in(people.service, assignee=people.ben)
    stale_version = case.version
    Case.objects.filter(pk=case.pk).update(version=stale_version + 1)

    response = client_for(people.sabine).post(
        ASSIGN_URL,
        {"case": [case.pk], f"version-{case.pk}": stale_version, "agent": people.anna.pk},
    )

    case.refresh_from_db()
    assert case.assignee_id == people.ben.pk
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Anliegen {case.number} wurde bereits von Ben übernommen."
    ]


def test_a_restricted_case_cannot_go_to_someone_outside_its_team(people):
    case = case_in(people.buchhaltung)

    response = client_for(people.admin).post(
        ASSIGN_URL, {"case": [case.pk], f"version-{case.pk}": case.version, "agent": people.anna.pk}
    )

    case.refresh_from_db()
    assert case.assignee_id is None
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "anna gehört nicht zum vertraulichen Team »Buchhaltung«."  # the username (service text)
    ]


def test_a_supervisor_cannot_reassign_a_case_she_may_not_see(people):
    case = case_in(people.buchhaltung)

    response = client_for(people.sabine).post(
        ASSIGN_URL, {"case": [case.pk], f"version-{case.pk}": case.version, "agent": people.ben.pk}
    )

    case.refresh_from_db()
    assert case.assignee_id is None
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Anliegen nicht gefunden oder kein Zugriff."
    ]


def test_releasing_cases_without_an_agent(people):
    case = case_in(people.service, assignee=people.anna)

    response = client_for(people.sabine).post(
        ASSIGN_URL, {"case": [case.pk], f"version-{case.pk}": case.version, "agent": "release"}
    )

    case.refresh_from_db()
    assert case.assignee_id is None
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"1 Anliegen freigegeben: {case.number}"
    ]


def test_without_a_chosen_agent_nothing_changes(people):
    case = case_in(people.service, assignee=people.anna)

    response = client_for(people.sabine).post(
        ASSIGN_URL, {"case": [case.pk], f"version-{case.pk}": case.version, "agent": ""}
    )

    case.refresh_from_db()
    assert case.assignee_id == people.anna.pk
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Bitte auswählen, wem die Anliegen zugewiesen werden."
    ]


def test_agents_cannot_reassign_through_the_team_form(people):
    case = case_in(people.service)

    response = client_for(people.anna).post(
        ASSIGN_URL, {"case": [case.pk], f"version-{case.pk}": case.version, "agent": people.anna.pk}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assignee_id is None


def test_reassignment_needs_the_csrf_token(people):
    case = case_in(people.service)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.sabine)

    response = client.post(
        ASSIGN_URL, {"case": [case.pk], f"version-{case.pk}": case.version, "agent": people.anna.pk}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assignee_id is None


def test_hostile_text_is_escaped_on_the_team_page(people):
    case_in(people.service, subject='<script>alert("x")</script><img src=x onerror=alert(1)>')
    people.anna.first_name = "<b>Anna</b>"
    people.anna.save()

    response = client_for(people.sabine).get(URL)

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Anna&lt;/b&gt;" in html
