"""Random action sequences through the services, checking the workflow invariants after each."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundenversteher.cases import services
from kundenversteher.cases.errors import CaseClosed, IllegalTransition
from kundenversteher.cases.models import Case
from kundenversteher.cases.states import Status
from kundenversteher.events.models import Event
from tests.cases.factories import make_calendar, make_case, make_policy

START = datetime(2026, 6, 8, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))

actions = st.one_of(
    st.tuples(st.just("status"), st.sampled_from([s.value for s in Status])),
    st.tuples(st.just("inbound"), st.just("")),
    st.tuples(st.just("outbound"), st.just("")),
    st.tuples(st.just("note"), st.just("")),
    st.tuples(st.just("tag"), st.sampled_from(["heizung", "garantie"])),
)


def snapshot(case_id: int) -> tuple[Case, int]:
    return Case.objects.get(pk=case_id), Event.objects.filter(case_id=case_id).count()


def check_invariants(case: Case) -> None:
    done = case.status in {Status.RESOLVED, Status.CLOSED}
    assert (case.resolved_at is not None) is done
    assert (case.closed_at is not None) is (case.status == Status.CLOSED)
    assert (case.sla_paused_at is not None) is (case.status == Status.WAITING_CUSTOMER)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=1, max_size=25))
def test_random_workflows_keep_the_invariants(personas, steps):
    if not Case.objects.exists():
        make_policy(calendar=make_calendar())
    case = make_case(now=START)
    now = START
    for step, (action, target) in enumerate(steps):
        now += timedelta(minutes=47)
        before, events_before = snapshot(case.pk)
        try:
            if action == "status":
                services.change_status(case_id=case.pk, status=target, by=personas.anna, now=now)
            elif action == "tag":
                # A fresh tag each step, so every accepted tag action is a real change.
                services.tag_case(case_id=case.pk, add=[f"{target}-{step}"], by=personas.anna)
            elif action == "note":
                services.add_note(case_id=case.pk, body_text="@sabine", by=personas.anna, now=now)
            else:
                services.add_message(
                    case_id=case.pk,
                    direction=action,
                    body_text=action,
                    by=personas.anna if action == "outbound" else None,
                    now=now,
                )
        except (IllegalTransition, CaseClosed):
            after, events_after = snapshot(case.pk)
            # A refused action changes nothing and records nothing.
            assert (after.status, after.version, events_after) == (
                before.status,
                before.version,
                events_before,
            )
            assert before.status == Status.CLOSED or action == "status"
            continue
        after, events_after = snapshot(case.pk)
        check_invariants(after)
        assert after.version > before.version
        assert events_after > events_before  # every change leaves at least one event
        if before.status == Status.CLOSED:
            raise AssertionError("a closed case accepted a change")
        if action == "status":
            assert after.status == target
        elif action == "inbound" and before.status in {
            Status.WAITING_CUSTOMER,
            Status.WAITING_THIRD_PARTY,
            Status.RESOLVED,
        }:
            assert after.status == Status.OPEN
        elif action == "outbound":
            assert after.first_responded_at is not None
            assert after.status == (Status.OPEN if before.status == Status.NEW else before.status)
        if after.status != before.status:
            last = (
                Event.objects.filter(case_id=case.pk)
                .exclude(
                    kind__in=[
                        "case.message_added",
                        "case.first_response",
                        "case.note_added",
                        "case.tagged",
                    ]
                )
                .last()
            )
            assert last.payload["from"] == before.status
            assert last.payload["to"] == after.status
