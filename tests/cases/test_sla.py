from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kundenversteher.cases import services
from kundenversteher.cases.models import Case, SLAAlert
from kundenversteher.events.models import Event
from tests.cases.factories import make_calendar, make_case, make_customer, make_policy

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def policy(db):
    return make_policy(calendar=make_calendar(subdivision="BY"))


def test_open_case_sets_due_times_in_bavarian_business_hours(policy):
    # Wed 3 June 16:00; Thu 4 June is a Bavarian holiday; 4 h / 24 h business time.
    case = make_case(now=at(3, 16))

    assert case.sla_policy == policy
    assert case.first_response_due == at(5, 11)
    # 24 h: 1 h Wed, 9 h Fri, 9 h Mon, 5 h Tue.
    assert case.resolution_due == at(9, 13)


def test_the_most_specific_policy_wins(db):
    calendar = make_calendar()
    make_policy(calendar=calendar, name="Alle", first_response_minutes=480)
    make_policy(calendar=calendar, name="VIP", customer_tier="vip", first_response_minutes=120)
    make_policy(
        calendar=calendar,
        name="VIP dringend",
        customer_tier="vip",
        priority="urgent",
        first_response_minutes=30,
    )
    vip = make_customer("Wichtig", tier="vip")

    normal_vip = make_case(customer=vip, now=at(8, 9))
    urgent_vip = make_case(customer=vip, priority="urgent", now=at(8, 9))
    anonymous = make_case(now=at(8, 9))

    assert (normal_vip.sla_policy.name, normal_vip.first_response_due) == ("VIP", at(8, 11))
    assert (urgent_vip.sla_policy.name, urgent_vip.first_response_due) == (
        "VIP dringend",
        at(8, 9, 30),
    )
    assert (anonymous.sla_policy.name, anonymous.first_response_due) == ("Alle", at(8, 17))


def test_waiting_for_the_customer_pauses_and_resume_shifts_due_times(policy):
    case = make_case(now=at(8, 9))  # Mon 8 June: first response 13:00, resolution Wed 15:00
    assert (case.first_response_due, case.resolution_due) == (at(8, 13), at(10, 15))

    paused = services.change_status(
        case_id=case.pk, status="waiting_customer", by=None, now=at(8, 10)
    )
    assert paused.sla_paused_at == at(8, 10)

    # The customer answers Tue 10:00: 7 h Monday + 2 h Tuesday of business time passed.
    services.add_message(
        case_id=case.pk, direction="inbound", body_text="Hier die Angaben.", now=at(9, 10)
    )

    case.refresh_from_db()
    assert case.status == "open"
    assert case.sla_paused_at is None
    assert case.sla_paused_seconds == 9 * 3600
    assert case.first_response_due == at(9, 13)
    assert case.resolution_due == at(11, 15)


def test_first_reply_stops_the_first_response_clock_and_a_customer_message_starts_next(policy):
    case = make_case(now=at(8, 9))

    services.add_message(
        case_id=case.pk, direction="outbound", body_text="Wir prüfen.", now=at(8, 10)
    )
    services.add_message(case_id=case.pk, direction="inbound", body_text="Und?", now=at(8, 15))

    case.refresh_from_db()
    assert case.first_responded_at == at(8, 10)
    # next response 480 min: 2 h Monday + 6 h Tuesday.
    assert case.next_response_due == at(9, 14)
    services.add_message(case_id=case.pk, direction="outbound", body_text="Erledigt.", now=at(9, 9))
    case.refresh_from_db()
    assert case.next_response_due is None


def _events(kind: str, case: Case) -> int:
    return Event.objects.filter(kind=kind, case_id=case.pk).count()


def test_check_sla_warns_once_and_breaches_once_bumping_priority(policy):
    case = make_case(now=at(8, 9))  # first response due Mon 13:00

    first = services.check_sla_clocks(now=at(8, 12, 30), warning_minutes=60)
    again = services.check_sla_clocks(now=at(8, 12, 45), warning_minutes=60)

    assert (first.warnings, first.breaches) == (1, 0)
    assert (again.warnings, again.breaches) == (0, 0)
    assert _events("case.sla_warning", case) == 1

    breach = services.check_sla_clocks(now=at(8, 13, 1), warning_minutes=60)
    repeat = services.check_sla_clocks(now=at(8, 13, 30), warning_minutes=60)

    assert (breach.warnings, breach.breaches) == (0, 1)
    assert (repeat.warnings, repeat.breaches) == (0, 0)
    assert _events("case.sla_breached", case) == 1
    case.refresh_from_db()
    assert case.priority == "high"
    assert list(SLAAlert.objects.filter(case=case).order_by("id").values_list("clock", "kind")) == [
        ("first_response", "warning"),
        ("first_response", "breach"),
    ]


def test_check_sla_ignores_paused_answered_and_resolved_cases(policy):
    waiting = make_case(now=at(8, 9))
    services.change_status(case_id=waiting.pk, status="waiting_customer", by=None, now=at(8, 9, 30))
    answered = make_case(now=at(8, 9))
    services.add_message(
        case_id=answered.pk, direction="outbound", body_text="Hallo", now=at(8, 10)
    )
    resolved = make_case(now=at(8, 9))
    services.change_status(case_id=resolved.pk, status="resolved", by=None, now=at(8, 10))

    result = services.check_sla_clocks(now=at(8, 13, 1), warning_minutes=60)

    assert (result.warnings, result.breaches) == (0, 0)
    assert not Event.objects.filter(kind__startswith="case.sla_").exists()


def test_check_sla_task_runs_the_check(policy):
    from kundenversteher.cases.tasks import check_sla

    make_case(now=datetime.now(tz=BERLIN) - timedelta(days=30))

    assert check_sla.call() == {"warnings": 0, "breaches": 2}


def test_check_sla_is_registered_as_a_periodic_job(db):
    from kundenversteher.lib.models import PeriodicJob

    job = PeriodicJob.objects.get(name="cases.check_sla")
    assert (job.task_path, job.interval_seconds, job.enabled) == (
        "kundenversteher.cases.tasks.check_sla",
        60,
        True,
    )


def test_raising_the_priority_switches_to_the_stricter_policy(policy, personas):
    make_policy(
        calendar=policy.calendar,
        name="Dringend",
        priority="urgent",
        first_response_minutes=60,
        next_response_minutes=60,
        resolution_minutes=240,
    )
    case = make_case(now=at(8, 9))
    assert case.first_response_due == at(8, 13)

    services.set_priority(case_id=case.pk, priority="urgent", by=personas.anna)

    case.refresh_from_db()
    assert (case.sla_policy.name, case.first_response_due, case.resolution_due) == (
        "Dringend",
        at(8, 10),
        at(8, 13),
    )
    event = Event.objects.get(kind="case.priority_changed", case_id=case.pk)
    assert event.payload == {
        "number": case.number,
        "from": "normal",
        "to": "urgent",
        "sla_policy_changed": True,
    }
