"""Reads of the automation app: the switches as a policy, the facts ``decide`` needs, decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from kundenversteher.cases.models import Case, Message
from kundenversteher.customers.models import Customer, Tier
from kundenversteher.events.models import Event
from kundenversteher.knowledge import answers
from kundenversteher.knowledge.automation.models import (
    AutomationDailyStat,
    AutomationDecision,
    AutomationSettings,
    IntentAutomation,
)
from kundenversteher.knowledge.automation.policy import NEVER_AUTOMATIC
from kundenversteher.knowledge.automation.types import (
    AutomationPolicy,
    CaseFacts,
    CustomerRef,
    DecisionView,
    Mode,
    SummaryRow,
)

REPEATED_CONTACT_DAYS = 30


def current_settings() -> AutomationSettings:
    """Read fresh on every call: a kill switch takes effect with the very next message.

    Without a stored row the defaults apply (shadow mode); the row is created by the first
    change in the admin, not by a read.
    """
    return AutomationSettings.objects.filter(pk=1).first() or AutomationSettings(pk=1)


def current_mode() -> Mode:
    mode = AutomationSettings.objects.filter(pk=1).values_list("mode", flat=True).first()
    return Mode(mode) if mode else Mode.SHADOW


def automation_live(kind: str = "") -> bool:
    """Guard of the sending reaction (``wiring``): only in live mode is anything sent."""
    return current_mode() is Mode.LIVE


def any_automatic_answer(kind: str = "") -> bool:
    """Guard of the reply review reaction: nothing to review before the first automatic answer."""
    return AutomationDecision.objects.filter(sent_message__isnull=False).exists()


def automatable_intents() -> frozenset[str]:
    """Intents with an active answer template (the answers app decides)."""
    return frozenset(answers.automatable_intents())


def load_policy(*, intent: str | None = None) -> AutomationPolicy:
    """The switches as ``decide`` applies them, read fresh.

    With ``intent`` only what that intent's decision needs is read (intake's per-message query
    budget): an intent that is never automatic needs no templates, an intent without template
    no per-intent switches.
    """
    row = current_settings()
    automatable: frozenset[str] = frozenset()
    if intent is None or intent not in NEVER_AUTOMATIC:
        automatable = automatable_intents()
    switches: list[tuple[str, bool, float | None]] = []
    if intent is None or intent in automatable:
        switches = list(IntentAutomation.objects.values_list("intent", "enabled", "min_confidence"))
    return AutomationPolicy(
        mode=Mode(row.mode),
        automatable_intents=automatable,
        disabled_intents=frozenset(i for i, enabled, _m in switches if not enabled),
        min_confidence={i: m for i, _e, m in switches if m is not None},
        negative_sentiment_below=row.negative_sentiment_below,
        repeated_contact_limit=row.repeated_contact_limit,
    )


def customer_ref(*, customer_id: int | None, identified_by: str = "") -> CustomerRef | None:
    if customer_id is None:
        return None
    tier = Customer.objects.filter(pk=customer_id).values_list("tier", flat=True).first()
    if tier is None:
        return None
    return CustomerRef(
        id=customer_id, tier=str(tier), vip=tier == Tier.VIP, identified_by=identified_by
    )


def is_automatic_answer(*, message_id: int) -> bool:
    """Whether this case message is an automatic answer (mail marks it ``Auto-Submitted``)."""
    return AutomationDecision.objects.filter(sent_message_id=message_id).exists()


def case_facts(
    *,
    case_id: int | None,
    customer_id: int | None,
    intent: str,
    channel: str,
    now: datetime | None = None,
) -> CaseFacts:
    now = now or timezone.now()
    prior = 0
    if customer_id is not None and intent:
        prior_cases = Case.objects.filter(
            customer_id=customer_id,
            intent=intent,
            received_at__gte=now - timedelta(days=REPEATED_CONTACT_DAYS),
        )
        if case_id is not None:
            prior_cases = prior_cases.exclude(pk=case_id)
        prior = prior_cases.count()
    if case_id is None:
        return CaseFacts(case_id=None, is_new=True, prior_contacts_30d=prior, channel=channel)
    reopened = Event.objects.filter(case_id=case_id, kind="case.reopened").count()
    last_outbound = (
        Message.objects.filter(case_id=case_id, direction=Message.Direction.OUTBOUND)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return CaseFacts(
        case_id=case_id,
        is_new=False,
        prior_contacts_30d=prior,
        reopened_count=reopened,
        last_answer_automatic=last_outbound is not None
        and is_automatic_answer(message_id=last_outbound),
        channel=channel,
    )


def _view(row: AutomationDecision) -> DecisionView:
    return DecisionView(
        id=row.pk,
        case_id=row.case_id,
        message_id=row.message_id,
        action=row.action,
        shadow=row.shadow,
        intent=row.intent,
        confidence=row.confidence,
        threshold=row.threshold,
        reasons=tuple(row.reasons or ()),
        draft_subject=row.draft_subject,
        draft_body=row.draft_body,
        sent_message_id=row.sent_message_id,
        outcome=row.outcome,
    )


def latest_decision(*, case_id: int) -> AutomationDecision | None:
    """The newest decision of a case (the case view shows its reasons)."""
    return AutomationDecision.objects.filter(case_id=case_id).order_by("-created_at", "-id").first()


def latest_decision_view(*, case_id: int) -> DecisionView | None:
    row = latest_decision(case_id=case_id)
    return _view(row) if row is not None else None


def decisions_of_case(*, case_id: int) -> list[DecisionView]:
    rows = AutomationDecision.objects.filter(case_id=case_id).order_by("created_at", "id")
    return [_view(row) for row in rows]


_SUMMED = (
    "decided",
    "standard",
    "auto_answered",
    "would_auto_answer",
    "suggested",
    "routed",
    "reopened",
    "not_helped",
    "corrected",
    "shadow_corrected",
)


def automation_summary(
    start: date, end: date, *, by: Sequence[str] = ("intent", "channel")
) -> list[SummaryRow]:
    """Figures of the days ``start``..``end`` from the stored daily rows, grouped by ``by``
    (any of "intent", "channel"; empty = one row for everything)."""
    groups = [name for name in by if name in {"intent", "channel"}]
    stats = AutomationDailyStat.objects.filter(day__gte=start, day__lte=end)
    sums = {f"sum_{name}": Sum(name) for name in _SUMMED}
    rows: list[dict[str, Any]]
    if groups:
        rows = list(stats.values(*groups).annotate(**sums).order_by(*groups))
    else:
        totals = stats.aggregate(**sums)
        rows = [totals] if totals["sum_decided"] is not None else []
    return [
        SummaryRow(
            intent=str(row.get("intent", "")),
            channel=str(row.get("channel", "")),
            **{name: int(row[f"sum_{name}"] or 0) for name in _SUMMED},
        )
        for row in rows
    ]
