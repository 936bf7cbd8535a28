"""Frozen result types of the intelligence core. Pure Python: no Django, nothing of ours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Emotion(StrEnum):
    ANGER = "anger"
    FRUSTRATION = "frustration"  # frustration / disappointment
    WORRY = "worry"  # worry / urgency
    GRATITUDE = "gratitude"


class UrgencyLevel(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class EntityKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    IBAN = "iban"
    CUSTOMER_NUMBER = "customer_number"
    ORDER_NUMBER = "order_number"
    CONTRACT_NUMBER = "contract_number"
    INVOICE_NUMBER = "invoice_number"
    DEVICE_SERIAL = "device_serial"
    CASE_NUMBER = "case_number"
    DATE = "date"
    AMOUNT = "amount"
    POSTCODE = "postcode"
    URL = "url"


@dataclass(frozen=True, slots=True)
class LanguageResult:
    code: str  # "de", "en" or "other"
    confidence: float  # 0..1
    mixed: bool = False  # more than one configured language in the text


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    probability: float  # calibrated, 0..1


@dataclass(frozen=True, slots=True)
class IntentResult:
    intent: str  # best intent, or "unknown" when no model is loaded
    probability: float
    top: tuple[IntentScore, ...]  # up to 3, best first
    unsure: bool  # probability below ``threshold``, or out of scope
    out_of_scope: bool  # the model believes the text is none of its intents
    model_version: str = ""
    path: str = "fast"  # "fast" or "cascade" (the heavier model was consulted)
    # The automation threshold that applied to the best intent (its per-intent threshold, else
    # the model's global one); 0.0 when no model decided (e.g. "unknown").
    threshold: float = 0.0


@dataclass(frozen=True, slots=True)
class SentimentResult:
    label: Sentiment
    score: float  # -1 (very negative) .. +1 (very positive)
    emotions: tuple[Emotion, ...] = ()
    model_version: str = ""


@dataclass(frozen=True, slots=True)
class UrgencyCue:
    kind: str  # "deadline", "immediacy", "outage", "legal_threat", "cancellation_threat", ...
    text: str  # the words that triggered it
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class UrgencyResult:
    level: UrgencyLevel
    score: float  # 0..1
    cues: tuple[UrgencyCue, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    kind: EntityKind
    text: str  # as written
    value: str  # normalised (E.164 phone, compact IBAN, ISO date, "123.45 EUR", ...)
    start: int
    end: int
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class PiiSpan:
    kind: str  # "EMAIL", "PHONE", "IBAN", "PERSON", "ADDRESS", "POSTCODE", ...
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Understanding:
    text: str  # the text that was analysed (cleaned, possibly truncated)
    truncated: bool
    language: LanguageResult
    intent: IntentResult
    sentiment: SentimentResult
    urgency: UrgencyResult
    entities: tuple[Entity, ...] = ()
    pii: tuple[PiiSpan, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def entities_of(self, kind: EntityKind) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == kind)


@dataclass(frozen=True, slots=True)
class DateValue:
    """Helper for normalised dates (entities carry them as ISO strings)."""

    value: date


@dataclass(frozen=True, slots=True)
class AmountValue:
    amount: Decimal
    currency: str = "EUR"
