"""Typed builders for the automation tests: understandings, policies, decided cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kundenversteher.cases.models import Case, Message
from kundenversteher.intelligence.types import (
    Emotion,
    Entity,
    EntityKind,
    IntentResult,
    IntentScore,
    LanguageResult,
    Sentiment,
    SentimentResult,
    Understanding,
    UrgencyCue,
    UrgencyLevel,
    UrgencyResult,
)
from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.models import AutomationDecision, AutomationSettings
from kundenversteher.knowledge.automation.types import (
    Action,
    AutomationPolicy,
    CaseFacts,
    CustomerRef,
    Decision,
    Mode,
    Reason,
)
from tests.cases.factories import make_case
from tests.knowledge.answers.factories import understanding_of

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN)
STANDARD_INTENTS = frozenset({"order_status", "delivery_date", "invoice_copy", "contract_info"})


def make_understanding(
    *,
    intent: str = "order_status",
    probability: float = 0.97,
    threshold: float = 0.91,
    unsure: bool = False,
    out_of_scope: bool = False,
    sentiment_score: float = 0.0,
    emotions: Sequence[Emotion] = (),
    cues: Sequence[str] = (),
    order_numbers: Sequence[str] = ("4711",),
    entities: Sequence[Entity] = (),
    text: str = "Wo bleibt meine Bestellung 4711?",
    language: str = "de",
) -> Understanding:
    found = [
        Entity(EntityKind.ORDER_NUMBER, number, number, 0, len(number)) for number in order_numbers
    ]
    return Understanding(
        text=text,
        truncated=False,
        language=LanguageResult(language, 0.99),
        intent=IntentResult(
            intent=intent,
            probability=probability,
            top=(IntentScore(intent, probability),),
            unsure=unsure,
            out_of_scope=out_of_scope,
            threshold=threshold,
        ),
        sentiment=SentimentResult(
            Sentiment.NEGATIVE if sentiment_score < 0 else Sentiment.NEUTRAL,
            sentiment_score,
            tuple(emotions),
        ),
        urgency=UrgencyResult(
            UrgencyLevel.NORMAL,
            0.2,
            tuple(UrgencyCue(kind, kind, 0, 1) for kind in cues),
        ),
        entities=(*found, *entities),
    )


def make_policy(
    *,
    mode: Mode = Mode.LIVE,
    automatable: frozenset[str] = STANDARD_INTENTS,
    disabled: frozenset[str] = frozenset(),
    min_confidence: dict[str, float] | None = None,
) -> AutomationPolicy:
    return AutomationPolicy(
        mode=mode,
        automatable_intents=automatable,
        disabled_intents=disabled,
        min_confidence=min_confidence or {},
    )


def known_customer(*, tier: str = "standard") -> CustomerRef:
    return CustomerRef(id=7, tier=tier, vip=tier == "vip", identified_by="email")


def new_case(**overrides: Any) -> CaseFacts:
    values: dict[str, Any] = {"case_id": None, "is_new": True, "channel": "email"}
    return CaseFacts(**{**values, **overrides})


def set_mode(mode: Mode) -> None:
    row = AutomationSettings.load()
    row.mode = mode.value
    row.save()


@dataclass
class FakeComposed:
    ok: bool = True
    template_id: int | None = 3
    subject: str = "Ihre Bestellung 4711"
    body: str = "Ihre Bestellung 4711 wurde am 22. November 2026 versandt."
    attachments: tuple[Any, ...] = ()
    slots: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    reason: str = ""


@dataclass
class FakeComposer:
    """Stands in for ``answers.compose`` and records its calls."""

    result: FakeComposed = field(default_factory=FakeComposed)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, **kwargs: Any) -> FakeComposed:
        self.calls.append(kwargs)
        return self.result


def auto_answer_decision(*, shadow: bool = False, intent: str = "order_status") -> Decision:
    return Decision(
        action=Action.AUTO_ANSWER,
        intent=intent,
        confidence=0.97,
        threshold=0.91,
        reasons=(Reason("confidence_ok", "sicher", "certain"),),
        required_entities_ok=True,
        shadow=shadow,
    )


def make_decided_case(
    *,
    action: Action = Action.AUTO_ANSWER,
    shadow: bool = False,
    intent: str = "order_status",
    customer: Any = None,
    channel: str = "email",
    now: datetime | None = None,
) -> tuple[Case, AutomationDecision]:
    """An open case with one customer message and a stored decision about it."""
    text = "Wo bleibt meine Bestellung 4711?"
    case = make_case(
        subject="Wo bleibt meine Bestellung?",
        body_text=text,
        customer=customer,
        channel=channel,
        now=now,
        understanding=understanding_of(text),
    )
    message = Message.objects.filter(case=case).get()
    decision = auto_answer_decision(shadow=shadow, intent=intent)
    if action is not Action.AUTO_ANSWER:
        decision = decision.with_action(action)
    row = services.record_decision(
        case_id=case.pk,
        message_id=message.pk,
        pending=services.PendingDecision(
            decision=decision, channel=channel, standard=True, draft_body="Entwurf"
        ),
        customer_id=case.customer_id,
        now=now,
    )
    return case, row
