"""Writing events and dispatching reactions.

``record`` is the only way an event is written. Reactions (tasks that take the event id) are
registered by ``kundenversteher.wiring`` at start-up and enqueued after the transaction that
recorded the event commits, so a rolled-back action triggers nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone
from django_tasks.base import Task

from kundenversteher.events.models import Event

logger = logging.getLogger(__name__)

_REACTIONS: dict[str, list[Task[Any, Any]]] = {}


def register_reactions(table: Mapping[str, Iterable[Task[Any, Any]]]) -> None:
    """Install the event → tasks table (called once by ``wiring.install``)."""
    _REACTIONS.clear()
    for kind, tasks in table.items():
        _REACTIONS[kind] = list(tasks)


def reactions_for(kind: str) -> list[Task[Any, Any]]:
    return [*_REACTIONS.get(kind, []), *_REACTIONS.get("*", [])]


def record(
    kind: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_kind: str | None = None,
    actor_label: str = "",
    channel: str = "",
    case_id: int | None = None,
    customer_id: int | None = None,
    subject: models.Model | None = None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Append one event. Call inside the service's transaction."""
    user = actor if isinstance(actor, AbstractBaseUser) else None
    if actor_kind is None:
        actor_kind = Event.ActorKind.USER if user is not None else Event.ActorKind.SYSTEM
    event = Event(
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        actor_kind=actor_kind,
        actor_user=user,  # type: ignore[misc]
        actor_label=actor_label or (user.get_username() if user is not None else ""),
        channel=channel,
        case_id=case_id,
        customer_id=customer_id,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload=data or {},
    )
    event.save()
    for reaction in reactions_for(kind):
        transaction.on_commit(functools.partial(reaction.enqueue, event.id))
    return event


def erase_customer_events(*, customer_id: int) -> int:
    """DSGVO erasure: keep the fact that something happened, drop who and what was said."""
    count = 0
    for event in Event.objects.filter(customer_id=customer_id).iterator():
        event.payload = {"erased": True}
        event.actor_label = ""
        event.save(_erasure=True)
        count += 1
    return count
