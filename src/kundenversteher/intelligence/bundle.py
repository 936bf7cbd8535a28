"""What ``understand`` needs: the loaded models and the tenant's configuration.

The bundle is built once per process by the caller (a Django app, a benchmark, a test) and passed
in; nothing here reads files at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kundenversteher.intelligence.types import IntentResult, SentimentResult


class IntentModel(Protocol):
    version: str

    def predict(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> list[IntentResult]: ...


class SentimentModel(Protocol):
    version: str

    def predict(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> list[SentimentResult]: ...


@dataclass(frozen=True, slots=True)
class NumberPattern:
    """A tenant's number format, e.g. order numbers ``4711`` or ``BW-2026-000123``."""

    kind: str  # an EntityKind value
    regex: str  # Python regex; group 1 (or the whole match) is the number
    # Words that must stand near a bare number, e.g. "Bestellung".
    context_words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IntelligenceConfig:
    languages: tuple[str, ...] = ("de", "en")
    default_region: str = "DE"  # for phone numbers
    max_chars: int = 20_000  # longer text is truncated and the result says so
    number_patterns: tuple[NumberPattern, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelBundle:
    intent: IntentModel | None = None
    sentiment: SentimentModel | None = None
    config: IntelligenceConfig = field(default_factory=IntelligenceConfig)
