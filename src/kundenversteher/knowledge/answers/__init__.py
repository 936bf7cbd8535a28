"""Answer templates per intent and language whose slots are filled from CRM/ERP data.

``compose`` and ``automatable_intents`` are the public entry points; they are loaded on first
use because this package is also the Django app module (models are not ready at import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kundenversteher.knowledge.answers.composing import automatable_intents, compose

__all__ = ["automatable_intents", "compose"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kundenversteher.knowledge.answers import composing

        return getattr(composing, name)
    raise AttributeError(name)
