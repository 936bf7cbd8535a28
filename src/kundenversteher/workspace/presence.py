"""Presence of staff users: updated by the websocket consumers, read by the supervisor view.

A user is online while at least one of their tabs holds a websocket (``connections > 0``) and the
last connect or heartbeat is at most ``ONLINE_WINDOW`` old. The heartbeat comes every
``HEARTBEAT_SECONDS`` from ``live.js``; three missed heartbeats (a crashed web process never
decrements the count) make the user offline.

No events are recorded: presence changes every 30 s per user and is not a business fact — the
event log would fill with noise, and presence history is exactly what must not be kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kundenversteher.workspace.models import AgentPresence

HEARTBEAT_SECONDS = 30
ONLINE_WINDOW = timedelta(seconds=90)


def mark_connected(*, user_id: int, now: datetime | None = None) -> None:
    """One more open connection for the user (a new tab, or a reconnect)."""
    now = now or timezone.now()
    # Conditional UPDATE first (the common case, atomic across processes); create on first use.
    if AgentPresence.objects.filter(user_id=user_id).update(
        connections=F("connections") + 1, last_seen=now
    ):
        return
    try:
        with transaction.atomic():
            AgentPresence.objects.create(user_id=user_id, connections=1, last_seen=now)
    except IntegrityError:
        # Another process created the row between our UPDATE and INSERT.
        AgentPresence.objects.filter(user_id=user_id).update(
            connections=F("connections") + 1, last_seen=now
        )


def mark_seen(*, user_id: int, now: datetime | None = None) -> None:
    """Heartbeat: the connection is alive."""
    AgentPresence.objects.filter(user_id=user_id).update(last_seen=now or timezone.now())


def mark_disconnected(*, user_id: int, now: datetime | None = None) -> None:
    """One connection closed; never below zero (a reconnect may race with the old disconnect)."""
    now = now or timezone.now()
    if not AgentPresence.objects.filter(user_id=user_id, connections__gt=0).update(
        connections=F("connections") - 1, last_seen=now
    ):
        AgentPresence.objects.filter(user_id=user_id).update(last_seen=now)


def online_user_ids(
    *, user_ids: Iterable[int] | None = None, now: datetime | None = None
) -> set[int]:
    """Ids of the users online now (optionally only among ``user_ids``)."""
    now = now or timezone.now()
    qs = AgentPresence.objects.filter(connections__gt=0, last_seen__gte=now - ONLINE_WINDOW)
    if user_ids is not None:
        qs = qs.filter(user_id__in=list(user_ids))
    return set(qs.values_list("user_id", flat=True))


def is_online(*, user_id: int, now: datetime | None = None) -> bool:
    return user_id in online_user_ids(user_ids=[user_id], now=now)
