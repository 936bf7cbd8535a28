"""Writing events and dispatching reactions.

``record`` is the only way an event is written. Reactions (tasks that take the event id) are
registered by ``kundenversteher.wiring`` at start-up and enqueued after the transaction that
recorded the event commits, so a rolled-back action triggers nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone
from django_tasks.base import Task

from kundenversteher.events.models import Event

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Guarded:
    """A reaction enqueued only when ``wanted(kind)`` says so at record time.

    For reactions that usually have nothing to do (webhooks with no subscriber): one cheap
    query instead of a task row per event.
    """

    task: Task[Any, Any]
    wanted: Callable[[str], bool]


Reaction = Task[Any, Any] | Guarded

_REACTIONS: dict[str, list[Reaction]] = {}


def register_reactions(table: Mapping[str, Iterable[Reaction]]) -> None:
    """Install the event → tasks table (called once by ``wiring.install``)."""
    _REACTIONS.clear()
    for kind, reactions in table.items():
        _REACTIONS[kind] = list(reactions)


def reactions_for(kind: str) -> list[Task[Any, Any]]:
    """The tasks to enqueue for an event of this kind, guards evaluated now."""
    tasks: list[Task[Any, Any]] = []
    for reaction in [*_REACTIONS.get(kind, []), *_REACTIONS.get("*", [])]:
        if isinstance(reaction, Guarded):
            if reaction.wanted(kind):
                tasks.append(reaction.task)
        else:
            tasks.append(reaction)
    return tasks


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
