"""Composition root: which task reacts to which event, which app provides privacy export/erase.

Lower apps never name higher ones; they record events and this table says who reacts.
"""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task

from kundenversteher.events.services import register_reactions

REACTIONS: dict[str, list[Task[Any, Any]]] = {}


def install() -> None:
    register_reactions(REACTIONS)
