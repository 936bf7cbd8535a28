"""Live updates: the event log, tailed once per web process, fanned out over the channel layer.

Why tail the database instead of pushing from the services: the event log is the source of truth
and every writer (web requests, the worker, the API, management commands) appends to it in its
own process. One tailer per web process (an asyncio task, started with the first websocket
connection) polls ``Event`` for new ids every ``KV_LIVE_POLL_SECONDS`` (default 1.0) and sends
each case event to two groups of the process's channel layer: ``kv.cases`` (open inboxes) and
``kv.case.<id>`` (open case views). The consumers decide per user what reaches the browser.
Works the same with the in-memory layer (one process) and with channels-redis (several; each
process then forwards the same event once per process — consumers are process-local, and a
hint twice is harmless because the browser re-fetches the row).

Ids are increasing but not committed in order on PostgreSQL: a transaction holding id 41 can
commit after id 42 is visible. The cursor therefore remembers skipped ids for ``GAP_SECONDS`` and
asks for them again; a gap older than that was a rollback.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import Max, Q

from kundenversteher.events.models import Event
from kundenversteher.lib.env import env_str

logger = logging.getLogger(__name__)

CASES_GROUP = "kv.cases"
CASE_EVENT_PREFIX = "case."
MESSAGE_TYPE = "case.event"  # -> consumer method case_event
GAP_SECONDS = 30.0
MAX_GAPS = 1000
BATCH = 500


def case_group(case_id: int) -> str:
    return f"kv.case.{case_id}"


def poll_seconds() -> float:
    configured = getattr(settings, "KV_LIVE_POLL_SECONDS", None)
    if configured is None:  # until settings.py reads it: the environment directly
        configured = env_str("KV_LIVE_POLL_SECONDS", default="1.0")
    return max(0.05, float(configured))


@dataclass(frozen=True)
class CaseHint:
    """What a browser may learn about a change: which case, what kind, its number."""

    event_id: int
    case_id: int
    kind: str
    number: str

    def as_message(self) -> dict[str, Any]:
        return {
            "type": MESSAGE_TYPE,
            "event_id": self.event_id,
            "case_id": self.case_id,
            "kind": self.kind,
            "number": self.number,
        }


class EventCursor:
    """Reads the events appended since the last call (synchronous; one per tailer)."""

    def __init__(
        self,
        *,
        after: int,
        gap_seconds: float = GAP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.last_id = after
        self.gap_seconds = gap_seconds
        self.clock = clock
        self.gaps: dict[int, float] = {}  # missing id -> when first noticed

    @classmethod
    def from_latest(cls, **kwargs: Any) -> EventCursor:
        """Start after the newest event: a new tailer does not replay history."""
        latest = Event.objects.aggregate(latest=Max("id"))["latest"] or 0
        return cls(after=int(latest), **kwargs)

    def fetch(self) -> list[CaseHint]:
        now = self.clock()
        self.gaps = {i: t for i, t in self.gaps.items() if now - t < self.gap_seconds}
        wanted = Q(id__gt=self.last_id)
        if self.gaps:
            wanted |= Q(id__in=list(self.gaps))
        rows = list(
            Event.objects.filter(wanted)
            .order_by("id")
            .values_list("id", "kind", "case_id", "payload")[:BATCH]
        )
        hints = []
        for event_id, kind, case_id, payload in rows:
            if event_id in self.gaps:
                del self.gaps[event_id]
            elif event_id > self.last_id:
                for missing in range(max(self.last_id + 1, event_id - MAX_GAPS), event_id):
                    self.gaps[missing] = now
                self.last_id = event_id
            if case_id is not None and kind.startswith(CASE_EVENT_PREFIX):
                number = payload.get("number", "") if isinstance(payload, dict) else ""
                hints.append(CaseHint(event_id, int(case_id), kind, str(number)))
        if len(self.gaps) > MAX_GAPS:
            for missing in sorted(self.gaps)[: len(self.gaps) - MAX_GAPS]:
                del self.gaps[missing]
        return hints


def coalesce(hints: list[CaseHint]) -> list[CaseHint]:
    """One hint per case and poll: opening a case writes several events (created, message,
    routed, assigned) and each hint costs every open socket a visibility query and the browser a
    row fetch. The first one is kept, so a new case still arrives as ``case.created``."""
    first: dict[int, CaseHint] = {}
    for hint in hints:
        first.setdefault(hint.case_id, hint)
    return list(first.values())


async def forward(hints: list[CaseHint], *, layer: Any = None) -> None:
    """Send each hint to the inbox group and to its case's group."""
    layer = layer or get_channel_layer()
    if layer is None:
        return
    for hint in hints:
        message = hint.as_message()
        await layer.group_send(CASES_GROUP, message)
        await layer.group_send(case_group(hint.case_id), message)


class LiveTail:
    """The polling loop of one process. Survives database errors (logs, waits, retries)."""

    def __init__(self, *, interval: float | None = None) -> None:
        self.interval = interval if interval is not None else poll_seconds()
        self.cursor: EventCursor | None = None
        self.ready = asyncio.Event()  # set once the starting point (newest event id) is known
        self.task: asyncio.Task[None] | None = None

    async def step(self) -> int:
        if self.cursor is None:
            self.cursor = await database_sync_to_async(EventCursor.from_latest)()
            self.ready.set()
        hints = coalesce(await database_sync_to_async(self.cursor.fetch)())
        await forward(hints)
        return len(hints)

    async def run(self) -> None:
        while True:
            try:
                await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("live tail: reading the event log failed; retrying")
            await asyncio.sleep(self.interval)


# One tailer per event loop (a web process has one; tests create one loop per test).
_tails: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LiveTail] = weakref.WeakKeyDictionary()
READY_TIMEOUT = 5.0


async def ensure_tail() -> LiveTail:
    """Start this process's tailer unless it runs already, and wait until it knows where to
    start: every event committed after this returns reaches the groups. (If the database does
    not answer within ``READY_TIMEOUT`` the caller goes on; the tailer keeps retrying.)"""
    loop = asyncio.get_running_loop()
    tail = _tails.get(loop)
    if tail is None or tail.task is None or tail.task.done():
        tail = LiveTail()
        # An empty context: the tailer outlives the connection that started it and must not carry
        # its context variables (asgiref's per-connection thread executor among them).
        tail.task = loop.create_task(
            tail.run(), name="kundenversteher-live-tail", context=contextvars.Context()
        )
        _tails[loop] = tail
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(tail.ready.wait(), READY_TIMEOUT)
    return tail
