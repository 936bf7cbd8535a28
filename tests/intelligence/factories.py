"""Typed builders for the rule-based intelligence tests: bundles, fake models, sample mails."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from kundenversteher.intelligence.bundle import IntelligenceConfig, ModelBundle, NumberPattern
from kundenversteher.intelligence.types import (
    Emotion,
    IntentResult,
    IntentScore,
    Sentiment,
    SentimentResult,
)

TODAY = date(2026, 11, 23)  # a Monday


@dataclass
class FakeIntentModel:
    """Answers every text with one intent and records the batches it was called with."""

    intent: str = "order_status"
    version: str = "fake-intent-1"
    calls: list[list[str]] = field(default_factory=list)

    def predict(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> list[IntentResult]:
        self.calls.append(list(texts))
        return [
            IntentResult(
                intent=self.intent,
                probability=0.9,
                top=(IntentScore(self.intent, 0.9),),
                unsure=False,
                out_of_scope=False,
                model_version=self.version,
            )
            for _ in texts
        ]


@dataclass
class FakeSentimentModel:
    label: Sentiment = Sentiment.POSITIVE
    score: float = 0.7
    emotions: tuple[Emotion, ...] = ()
    version: str = "fake-sentiment-1"
    calls: list[list[str]] = field(default_factory=list)

    def predict(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> list[SentimentResult]:
        self.calls.append(list(texts))
        return [SentimentResult(self.label, self.score, self.emotions, self.version) for _ in texts]


@dataclass
class BrokenModel:
    version: str = "broken-1"

    def predict(
        self, texts: Sequence[str], *, languages: Sequence[str] | None = None
    ) -> list[IntentResult]:
        raise RuntimeError("model file corrupt")


def make_config(
    *, max_chars: int = 20_000, number_patterns: tuple[NumberPattern, ...] = ()
) -> IntelligenceConfig:
    return IntelligenceConfig(max_chars=max_chars, number_patterns=number_patterns)


def make_bundle(
    *,
    intent: FakeIntentModel | BrokenModel | None = None,
    sentiment: FakeSentimentModel | None = None,
    max_chars: int = 20_000,
) -> ModelBundle:
    return ModelBundle(
        intent=intent,
        sentiment=sentiment,
        config=make_config(max_chars=max_chars),
    )


def make_heating_mail() -> str:
    """A realistic ~500-character German complaint mail with entities and urgency cues."""
    return (
        "Sehr geehrte Damen und Herren,\n\n"
        "seit gestern ist unsere Heizung komplett ausgefallen und wir haben kein Warmwasser. "
        "Wir haben ein Baby im Haus und es ist eiskalt. Das ist jetzt schon zum dritten Mal! "
        "Bitte schicken Sie sofort einen Techniker, sonst kündige ich den Wartungsvertrag "
        "WV-200123.\n"
        "Gerät BW2301004567, Kundennummer KD-104711. Rückruf bitte unter 0171 1234567.\n\n"
        "Mit freundlichen Grüßen\n"
        "Max Mustermann\n"
        "Musterstraße 12, 80331 München"
    )
