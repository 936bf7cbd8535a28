import pytest
from django.contrib.auth.models import AnonymousUser

from kundenversteher.cases import queries, services
from kundenversteher.cases.access import role_of
from kundenversteher.cases.errors import CaseNotFound, NotAllowed
from kundenversteher.cases.models import Case
from kundenversteher.events.models import Event
from tests.cases.factories import make_case, make_user


@pytest.fixture
def world(personas):
    def filed(subject, team, customer):
        case = make_case(subject=subject, customer=customer)
        Case.objects.filter(pk=case.pk).update(team=team)
        return Case.objects.get(pk=case.pk)

    p = personas
    return {
        "service_clara": filed("Service Clara", p.service, p.clara_customer),
        "buchhaltung_clara": filed("Buchhaltung Clara", p.buchhaltung, p.clara_customer),
        "service_other": filed("Service Olga", p.service, p.other_customer),
        "buchhaltung_other": filed("Buchhaltung Olga", p.buchhaltung, p.other_customer),
        "unrouted": filed("Ohne Team", None, None),
    }


def visible(user, world):
    ids = set(Case.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name, case in world.items() if case.pk in ids}


def test_roles_of_the_personas(personas):
    p = personas
    assert [role_of(u) for u in (p.admin, p.sabine, p.anna, p.ben, p.clara)] == [
        "admin",
        "supervisor",
        "agent",
        "agent",
        "customer",
    ]
    assert role_of(AnonymousUser()) is None
    assert role_of(None) is None
    assert role_of(make_user("nobody")) is None


def test_admin_sees_everything(personas, world):
    assert visible(personas.admin, world) == set(world)


def test_agent_anna_does_not_see_the_restricted_accounting_team(personas, world):
    assert visible(personas.anna, world) == {"service_clara", "service_other", "unrouted"}


def test_supervisor_sabine_sees_her_teams_and_unrestricted_ones(personas, world):
    assert visible(personas.sabine, world) == {"service_clara", "service_other", "unrouted"}


def test_ben_as_member_sees_the_restricted_team_and_unrestricted_ones(personas, world):
    assert visible(personas.ben, world) == set(world)


def test_an_agent_sees_a_case_assigned_to_them(personas, world):
    outsider = world["buchhaltung_other"]
    Case.objects.filter(pk=outsider.pk).update(assignee=personas.anna)

    assert "buchhaltung_other" in visible(personas.anna, world)


def test_customer_clara_sees_only_her_own_cases(personas, world):
    assert visible(personas.clara, world) == {"service_clara", "buchhaltung_clara"}


def test_anonymous_and_unknown_users_see_nothing(personas, world):
    assert visible(AnonymousUser(), world) == set()
    assert visible(None, world) == set()
    assert visible(make_user("nobody"), world) == set()


def test_guessing_a_restricted_case_id_looks_exactly_like_a_missing_case(personas, world):
    restricted = world["buchhaltung_other"]

    with pytest.raises(CaseNotFound) as guessed:
        queries.get_case_detail(user=personas.anna, case_id=restricted.pk)
    with pytest.raises(CaseNotFound) as missing:
        queries.get_case_detail(user=personas.anna, case_id=restricted.pk + 1000)
    with pytest.raises(CaseNotFound):
        queries.get_case_by_number(user=personas.anna, number=restricted.number)
    with pytest.raises(CaseNotFound):
        queries.list_routing_decisions(user=personas.anna, case_id=restricted.pk)

    assert str(guessed.value) == str(missing.value)
    assert queries.get_case_detail(user=personas.ben, case_id=restricted.pk) == restricted


def test_an_agent_cannot_change_a_case_they_cannot_see(personas, world):
    restricted = world["buchhaltung_other"]
    before, version = Event.objects.count(), restricted.version

    with pytest.raises(NotAllowed):
        services.change_status(case_id=restricted.pk, status="open", by=personas.anna)

    restricted.refresh_from_db()
    assert (restricted.status, restricted.version) == ("new", version)
    assert Event.objects.count() == before


def test_a_customer_cannot_change_status_but_can_write_on_her_own_case(personas, world):
    own = world["service_clara"]

    with pytest.raises(NotAllowed):
        services.change_status(case_id=own.pk, status="open", by=personas.clara)
    message = services.add_message(
        case_id=own.pk, direction="outbound", body_text="Danke!", by=personas.clara
    )

    assert (message.direction, message.author) == ("inbound", personas.clara)
    assert Event.objects.filter(case_id=own.pk, kind="case.message_added").last().actor_kind == (
        "customer"
    )
    with pytest.raises(NotAllowed):
        services.add_message(
            case_id=world["service_other"].pk, direction="inbound", body_text="x", by=personas.clara
        )


def test_only_supervisors_assign_cases_to_others(personas, world):
    case = world["service_clara"]

    with pytest.raises(NotAllowed):
        services.assign_case(
            case_id=case.pk,
            agent_id=personas.sabine.pk,
            by=personas.anna,
            expected_version=case.version,
        )
    assigned = services.assign_case(
        case_id=case.pk,
        agent_id=personas.anna.pk,
        by=personas.sabine,
        expected_version=case.version,
    )

    assert assigned.assignee == personas.anna


def test_a_restricted_case_cannot_be_assigned_to_a_non_member(personas, world):
    case = world["buchhaltung_clara"]

    with pytest.raises(NotAllowed, match="gehört nicht zum vertraulichen Team »Buchhaltung«"):
        services.assign_case(
            case_id=case.pk,
            agent_id=personas.anna.pk,
            by=personas.admin,
            expected_version=case.version,
        )

    case.refresh_from_db()
    assert case.assignee is None


def test_list_cases_filters_within_what_the_user_may_see(personas, world):
    listed = queries.list_cases(user=personas.anna, q="Clara")
    assert [c.subject for c in listed] == ["Service Clara"]
    assert [
        c.subject for c in queries.list_cases(user=personas.ben, q="Clara", ordering="created")
    ] == [
        "Service Clara",
        "Buchhaltung Clara",
    ]
    assert [
        c.subject
        for c in queries.list_team_queue(user=personas.anna, team_id=personas.buchhaltung.pk)
    ] == []


def test_a_customer_opens_cases_only_for_herself(personas):
    own = services.open_case(
        subject="Frage", channel="web_form", body_text="Hallo", by=personas.clara, route=False
    )

    assert (own.customer, own.messages.get().author) == (personas.clara_customer, personas.clara)
    assert Event.objects.get(kind="case.created", case_id=own.pk).actor_kind == "customer"
    with pytest.raises(NotAllowed):
        services.open_case(
            subject="Fremd",
            channel="web_form",
            body_text="x",
            by=personas.clara,
            customer_id=personas.other_customer.pk,
        )
    assert Case.objects.count() == 1
