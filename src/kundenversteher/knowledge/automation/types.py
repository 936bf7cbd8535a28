"""Frozen types of the automatic-answer decision (what other apps and the policy exchange)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    AUTO_ANSWER = "auto_answer"  # answer the customer without a person (or, in shadow: would)
    SUGGEST = "suggest"  # a person answers; a finished draft is offered
    ROUTE = "route"  # a person answers from scratch


class Mode(StrEnum):
    OFF = "off"  # kill switch: nothing is answered automatically, decisions are still stored
    SHADOW = "shadow"  # decide and record, send nothing (default of a fresh install)
    LIVE = "live"


class Outcome(StrEnum):
    PENDING = "pending"  # not (yet) sent, or nothing known yet
    ANSWERED = "answered"  # sent, no unhappy reply so far
    REOPENED = "reopened"  # the customer wrote again within the window
    NOT_HELPED = "not_helped"  # … and said the answer did not help


@dataclass(frozen=True, slots=True)
class Reason:
    """One line of the decision's explanation, stored in both languages (the UI picks one)."""

    code: str
    de: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "de": self.de, "en": self.en}


@dataclass(frozen=True, slots=True)
class CustomerRef:
    id: int
    tier: str  # customers.Tier value: "standard", "premium", "vip"
    vip: bool = False
    identified_by: str = ""  # customers.MatchMethod value (how intake found the customer)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    case_id: int | None  # the case the message threads into; None = a new case
    is_new: bool
    prior_contacts_30d: int = 0  # other cases of the customer on the same intent, last 30 days
    reopened_count: int = 0
    last_answer_automatic: bool = False  # the message replies to an automatic answer
    channel: str = ""


@dataclass(frozen=True, slots=True)
class AutomationPolicy:
    """The switches and thresholds ``decide`` applies (read from the admin's settings)."""

    mode: Mode = Mode.SHADOW
    automatable_intents: frozenset[str] = frozenset()  # intents with an active answer template
    disabled_intents: frozenset[str] = frozenset()  # switched off per intent in the admin
    min_confidence: Mapping[str, float] = field(default_factory=dict)  # admin overrides
    negative_sentiment_below: float = -0.5
    repeated_contact_limit: int = 2  # this many earlier cases on the same topic = repeated
    escalate_tiers: frozenset[str] = frozenset({"vip", "premium"})
    # Channels on which an automatic answer reaches the customer (by mail; the contact form asks
    # for the address). Letters, faxes, phone notes and device alarms have no way back for it.
    answer_channels: frozenset[str] = frozenset({"email", "web_form"})


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    intent: str
    confidence: float
    threshold: float | None  # None: the model gives no per-intent threshold (``unsure`` used)
    reasons: tuple[Reason, ...]
    required_entities_ok: bool
    shadow: bool  # True: the decision is recorded only, nothing is sent

    @property
    def would_auto_answer(self) -> bool:
        return self.action is Action.AUTO_ANSWER

    @property
    def sends(self) -> bool:
        """Whether an automatic answer actually goes out for this decision."""
        return self.action is Action.AUTO_ANSWER and not self.shadow

    def with_action(self, action: Action, *extra: Reason) -> Decision:
        return Decision(
            action=action,
            intent=self.intent,
            confidence=self.confidence,
            threshold=self.threshold,
            reasons=(*self.reasons, *extra),
            required_entities_ok=self.required_entities_ok,
            shadow=self.shadow,
        )

    def reasons_json(self) -> list[dict[str, str]]:
        return [reason.as_dict() for reason in self.reasons]


@dataclass(frozen=True, slots=True)
class DecisionView:
    """A stored decision as the case view shows it."""

    id: int
    case_id: int
    message_id: int | None
    action: str
    shadow: bool
    intent: str
    confidence: float | None
    threshold: float | None
    reasons: tuple[Mapping[str, Any], ...]
    draft_subject: str
    draft_body: str
    sent_message_id: int | None
    outcome: str


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """Automation figures over a period, grouped as asked (empty strings: all together)."""

    intent: str
    channel: str
    decided: int
    standard: int
    auto_answered: int
    would_auto_answer: int
    suggested: int
    routed: int
    reopened: int
    not_helped: int
    corrected: int
    shadow_corrected: int = 0

    @property
    def shadow_precision(self) -> float | None:
        """Shadow mode: would-be answers whose intent no agent corrected / would-be answers."""
        if not self.would_auto_answer:
            return None
        return max(self.would_auto_answer - self.shadow_corrected, 0) / self.would_auto_answer

    @property
    def precision(self) -> float | None:
        if not self.auto_answered:
            return None
        return max(self.auto_answered - self.not_helped - self.corrected, 0) / self.auto_answered

    @property
    def automation_rate(self) -> float | None:
        if not self.standard:
            return None
        return max(self.auto_answered - self.reopened, 0) / self.standard
