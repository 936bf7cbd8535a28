"""Typed builders for the reply-suggestion tests: resolved cases with an agent's answer, and
automation decisions as the automation app stores them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from kundenversteher.cases import services
from kundenversteher.cases.models import Case, Message, Team
from kundenversteher.customers.models import Customer
from kundenversteher.knowledge.automation.models import AutomationDecision


def make_resolved_case(
    *,
    question: str,
    answer: str,
    agent: AbstractBaseUser | None,
    customer: Customer | None = None,
    team: Team | None = None,
    intent: str = "order_status",
    language: str = "de",
    subject: str = "Frage zur Bestellung",
    status: str = "resolved",
    author_label: str = "",
) -> Case:
    """A case opened with ``question``, answered by ``agent`` with ``answer`` and resolved
    (``status="closed"``: closed afterwards; ``status="open"``: answered but still open)."""
    case = services.open_case(
        subject=subject,
        channel="email",
        customer_id=customer.pk if customer else None,
        body_text=question,
        author_label=customer.full_name if customer else "kunde@example.de",
        language=language,
        intent=intent,
        route=False,
    )
    if team is not None:
        Case.objects.filter(pk=case.pk).update(team=team)
    services.add_message(
        case_id=case.pk,
        direction=Message.Direction.OUTBOUND,
        body_text=answer,
        by=agent,
        author_label=author_label
        or ((agent.get_full_name() or agent.get_username()) if agent else ""),  # type: ignore[attr-defined]
    )
    if status in {"resolved", "closed"}:
        services.change_status(case_id=case.pk, status="resolved", by=None)
    if status == "closed":
        services.change_status(case_id=case.pk, status="closed", by=None)
    case.refresh_from_db()
    return case


def make_decision(
    case: Case,
    *,
    action: str = "suggest",
    shadow: bool = False,
    intent: str = "order_status",
    confidence: float | None = 0.93,
    threshold: float | None = 0.9,
    reasons: Sequence[dict[str, Any]] = (),
    draft_subject: str = "",
    draft_body: str = "",
    sent_message: Message | None = None,
    created_at: datetime | None = None,
) -> AutomationDecision:
    return AutomationDecision.objects.create(
        case=case,
        message=case.messages.filter(direction=Message.Direction.INBOUND).first(),
        action=action,
        shadow=shadow,
        intent=intent,
        confidence=confidence,
        threshold=threshold,
        reasons=list(reasons),
        draft_subject=draft_subject,
        draft_body=draft_body,
        sent_message=sent_message,
        created_at=created_at or timezone.now(),
    )
