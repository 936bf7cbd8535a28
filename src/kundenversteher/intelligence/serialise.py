"""Plain-JSON form of an ``Understanding`` for storage beside a message (and back for display).

Offsets refer to ``Understanding.text`` (the analysed, cleaned text), which is stored too, so a
view can highlight entities without re-running the models.
"""

from __future__ import annotations

from dataclasses import asdict
from enum import Enum
from typing import Any

from kundenversteher.intelligence.types import Understanding

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def understanding_to_dict(understanding: Understanding) -> dict[str, Any]:
    """JSON-serialisable dict (enums as their values, tuples as lists) with a schema version."""
    data: dict[str, Any] = _plain(asdict(understanding))
    data["schema"] = SCHEMA_VERSION
    return data
