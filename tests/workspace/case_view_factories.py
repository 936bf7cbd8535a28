"""Typed builders for the case view and macro tests: real ``Understanding`` objects serialised
exactly as intake stores them, and cases with a customer, an order and a first message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kundenversteher.cases import services
from kundenversteher.cases.models import Case, Macro, Team
from kundenversteher.customers.models import Customer
from kundenversteher.intelligence.serialise import understanding_to_dict
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


def make_understanding(
    text: str,
    *,
    intent: str = "order_status",
    probability: float = 0.82,
    top: Sequence[tuple[str, float]] = (("delivery_date", 0.11), ("complaint", 0.04)),
    unsure: bool = False,
    out_of_scope: bool = False,
    language: str = "de",
    sentiment: Sentiment = Sentiment.NEGATIVE,
    emotions: Sequence[Emotion] = (Emotion.FRUSTRATION,),
    urgency: UrgencyLevel = UrgencyLevel.HIGH,
    cues: Sequence[tuple[str, str]] = (),
    entities: Sequence[tuple[EntityKind, str, str]] = (),
) -> dict[str, Any]:
    """``entities``: (kind, text as written, normalised value); offsets are found in ``text``."""

    def span(part: str) -> tuple[int, int]:
        start = text.index(part)
        return start, start + len(part)

    understanding = Understanding(
        text=text,
        truncated=False,
        language=LanguageResult(code=language, confidence=0.97),
        intent=IntentResult(
            intent=intent,
            probability=probability,
            top=(
                IntentScore(intent, probability),
                *(IntentScore(name, p) for name, p in top),
            ),
            unsure=unsure,
            out_of_scope=out_of_scope,
            model_version="test-1",
        ),
        sentiment=SentimentResult(label=sentiment, score=-0.6, emotions=tuple(emotions)),
        urgency=UrgencyResult(
            level=urgency,
            score=0.7,
            cues=tuple(UrgencyCue(kind, part, *span(part)) for kind, part in cues),
        ),
        entities=tuple(Entity(kind, part, value, *span(part)) for kind, part, value in entities),
    )
    return understanding_to_dict(understanding)


def make_inbound_case(
    *,
    subject: str = "Wo bleibt meine Bestellung?",
    body_text: str = "Guten Tag, wo bleibt meine Bestellung 4711? Gruß",
    customer: Customer | None = None,
    team: Team | None = None,
    understanding: dict[str, Any] | None = None,
    identity: dict[str, Any] | None = None,
    channel: str = "email",
    language: str = "de",
    intent: str = "order_status",
) -> Case:
    case = services.open_case(
        subject=subject,
        channel=channel,
        customer_id=customer.pk if customer else None,
        body_text=body_text,
        author_label=customer.full_name if customer else "kunde@example.de",
        language=language,
        intent=intent,
        intent_confidence=0.82,
        sentiment="negative",
        urgency="high",
        route=False,
        understanding=understanding,
        identity=identity,
    )
    if team is not None:
        Case.objects.filter(pk=case.pk).update(team=team)
        case.refresh_from_db()
    return case


def make_macro(
    name: str = "Lieferstatus",
    *,
    body: str = "Hallo {{ customer.first_name }}, Ihre Bestellung {{ order.number }} ist "
    "{{ order.status }}.",
    language: str = "de",
    team: Team | None = None,
    set_status: str = "",
    active: bool = True,
) -> Macro:
    return Macro.objects.create(
        name=name, body=body, language=language, team=team, set_status=set_status, active=active
    )
