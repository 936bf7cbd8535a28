"""The event-log tail: which events become hints, in order, with late commits recovered."""

from __future__ import annotations

import asyncio
import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import DatabaseError
from django.utils import timezone

from kundenversteher.events.models import Event
from kundenversteher.events.services import record
from kundenversteher.workspace import live
from kundenversteher.workspace.live import CaseHint, EventCursor, LiveTail, coalesce
from tests.cases.factories import make_case


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _event(event_id: int, kind: str = "case.assigned", case_id: int | None = 7) -> Event:
    # Explicit ids stand in for a transaction that commits an earlier id later.
    # bulk_create: Event.save refuses rows that already have a primary key (append-only).
    return Event.objects.bulk_create(
        [
            Event(
                id=event_id,
                occurred_at=timezone.now(),
                kind=kind,
                actor_kind=Event.ActorKind.SYSTEM,
                case_id=case_id,
                payload={"number": f"KV-2026-{case_id or 0:06d}"},
            )
        ]
    )[0]


def test_a_new_cursor_does_not_replay_history(db):
    make_case(subject="Alt")

    cursor = EventCursor.from_latest()

    assert cursor.fetch() == []


def test_the_cursor_returns_case_events_since_the_last_fetch_in_order(db):
    cursor = EventCursor.from_latest()

    case = make_case(subject="Heizung defekt")
    record("privacy.data_exported", customer_id=None)  # not a case event
    hints = cursor.fetch()

    assert [(h.case_id, h.kind, h.number) for h in hints] == [
        (case.pk, "case.created", case.number),
        (case.pk, "case.message_added", case.number),
    ]
    assert cursor.fetch() == []


def test_a_late_commit_of_a_skipped_id_is_still_delivered(db):
    cursor = EventCursor(after=10_000, clock=FakeClock())
    _event(10_002)
    assert [h.event_id for h in cursor.fetch()] == [10_002]

    _event(10_001)

    assert [h.event_id for h in cursor.fetch()] == [10_001]
    assert cursor.gaps == {}
    assert cursor.fetch() == []


def test_a_gap_older_than_the_limit_counts_as_rolled_back(db):
    clock = FakeClock()
    cursor = EventCursor(after=10_000, clock=clock, gap_seconds=30)
    _event(10_002)
    cursor.fetch()

    clock.now += 31
    _event(10_001)

    assert cursor.fetch() == []
    assert cursor.gaps == {}


def test_events_without_a_case_are_skipped_but_advance_the_cursor(db):
    cursor = EventCursor(after=10_000, clock=FakeClock())
    _event(10_001, kind="case.assigned", case_id=None)
    _event(10_002, kind="customer.created", case_id=5)

    assert cursor.fetch() == []
    assert cursor.last_id == 10_002


def test_forward_sends_each_hint_to_the_inbox_group_and_the_case_group(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    hint = CaseHint(event_id=3, case_id=42, kind="case.created", number="KV-2026-000042")

    async def scenario() -> tuple[dict, dict]:
        layer = get_channel_layer()
        inbox = await layer.new_channel()
        case_view = await layer.new_channel()
        await layer.group_add(live.CASES_GROUP, inbox)
        await layer.group_add(live.case_group(42), case_view)
        await live.forward([hint])
        return await layer.receive(inbox), await layer.receive(case_view)

    to_inbox, to_case_view = async_to_sync(scenario)()

    expected = {
        "type": "case.event",
        "event_id": 3,
        "case_id": 42,
        "kind": "case.created",
        "number": "KV-2026-000042",
    }
    assert to_inbox == expected
    assert to_case_view == expected


def test_coalescing_keeps_the_first_hint_of_each_case_in_order():
    hints = [
        CaseHint(1, 10, "case.created", "KV-2026-000010"),
        CaseHint(2, 10, "case.message_added", "KV-2026-000010"),
        CaseHint(3, 11, "case.assigned", "KV-2026-000011"),
        CaseHint(4, 10, "case.assigned", "KV-2026-000010"),
    ]

    assert coalesce(hints) == [hints[0], hints[2]]


def test_the_tail_keeps_polling_after_a_database_error(caplog):
    tail = LiveTail(interval=0.01)
    calls: list[int] = []

    async def flaky_step() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseError("Datenbank kurz weg")
        if len(calls) == 3:
            raise asyncio.CancelledError  # end the endless loop here
        return 0

    tail.step = flaky_step  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR), pytest.raises(asyncio.CancelledError):
        async_to_sync(tail.run)()

    assert len(calls) == 3
    assert "live tail: reading the event log failed; retrying" in caplog.text
