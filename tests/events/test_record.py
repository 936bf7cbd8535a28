import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from kundenversteher import wiring
from kundenversteher.events.models import AppendOnlyError, Event
from kundenversteher.events.services import Guarded, record, register_reactions
from tests.lib import sample_tasks


def test_record_appends_an_event_with_payload(db):
    event = record("case.created", case_id=7, customer_id=3, channel="email", data={"x": 1})

    stored = Event.objects.get(id=event.id)
    assert (stored.kind, stored.case_id, stored.customer_id, stored.channel) == (
        "case.created",
        7,
        3,
        "email",
    )
    assert stored.payload == {"x": 1}
    assert stored.actor_kind == Event.ActorKind.SYSTEM


def test_events_cannot_be_changed_or_deleted(db):
    event = record("case.created", case_id=1)

    event.kind = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(id=event.id).update(kind="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()
    assert Event.objects.get(id=event.id).kind == "case.created"


def test_a_rolled_back_action_leaves_no_event(db):
    def failing_action() -> None:
        with transaction.atomic():
            record("case.created", case_id=1)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_action()

    assert not Event.objects.exists()


def test_reactions_are_enqueued_after_commit_and_guards_decide(
    db, django_capture_on_commit_callbacks
):

    wanted_kinds: list[str] = []
    register_reactions(
        {
            "case.created": [sample_tasks.tick],
            "*": [Guarded(sample_tasks.tick, wanted=lambda kind: kind in wanted_kinds)],
        }
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record("case.created", case_id=1)  # direct reaction only
            record("case.closed", case_id=1)  # guard says no
            wanted_kinds.append("case.closed")
            record("case.closed", case_id=1)  # guard says yes
        assert DBTaskResult.objects.count() == 2
    finally:
        wiring.install()
