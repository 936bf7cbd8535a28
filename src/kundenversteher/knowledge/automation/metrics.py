"""Daily figures of the automatic answers per day × intent × channel (for the dashboard).

- automation rate = answered automatically and not reopened within the window / standard
  requests (new cases whose intent has an answer template);
- precision = automatic answers neither reopened as unhelpful nor corrected by an agent (intent)
  / automatic answers.
The last ``reopen window + 1`` days are recomputed on each run: an answer's outcome can still
change until its window has passed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from kundenversteher.cases.models import UnderstandingCorrection
from kundenversteher.knowledge.automation.models import (
    AutomationDailyStat,
    AutomationDecision,
    AutomationSettings,
)
from kundenversteher.knowledge.automation.types import Action, Outcome

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(slots=True)
class _Counts:
    decided: int = 0
    standard: int = 0
    auto_answered: int = 0
    would_auto_answer: int = 0
    suggested: int = 0
    routed: int = 0
    reopened: int = 0
    not_helped: int = 0
    corrected: int = 0
    shadow_corrected: int = 0


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time.min, tzinfo=BERLIN)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=BERLIN)
    return start, end


def compute(*, first: date, last: date, window_days: int, now: datetime | None = None) -> int:
    """Recompute the rows of the days ``first``..``last`` (Berlin days); returns rows written."""
    now = now or timezone.now()
    start, end = _bounds(first, last)
    rows = list(
        AutomationDecision.objects.filter(created_at__gte=start, created_at__lt=end).only(
            "id",
            "case_id",
            "action",
            "shadow",
            "intent",
            "channel",
            "standard",
            "new_case",
            "sent_message_id",
            "sent_at",
            "outcome",
            "outcome_at",
            "created_at",
        )
    )
    # Cases whose answer (sent, or in shadow mode would-be) an agent's intent correction judges.
    sent_cases = {
        r.case_id
        for r in rows
        if r.sent_message_id is not None or (r.action == Action.AUTO_ANSWER and r.shadow)
    }
    corrections: dict[int, list[datetime]] = defaultdict(list)
    for case_id, created_at in UnderstandingCorrection.objects.filter(
        case_id__in=sent_cases, field=UnderstandingCorrection.Field.INTENT
    ).values_list("case_id", "created_at"):
        corrections[case_id].append(created_at)
    window = timedelta(days=window_days)
    counts: dict[tuple[date, str, str], _Counts] = defaultdict(_Counts)
    for row in rows:
        key = (timezone.localtime(row.created_at, BERLIN).date(), row.intent, row.channel)
        c = counts[key]
        c.decided += 1
        if row.standard and row.new_case:
            c.standard += 1
        if row.action == Action.AUTO_ANSWER and row.shadow:
            c.would_auto_answer += 1
            if any(at >= row.created_at for at in corrections.get(row.case_id, ())):
                c.shadow_corrected += 1
        elif row.action == Action.SUGGEST:
            c.suggested += 1
        elif row.action == Action.ROUTE:
            c.routed += 1
        if row.sent_message_id is None or row.sent_at is None:
            continue
        c.auto_answered += 1
        in_window = row.outcome_at is not None and row.outcome_at <= row.sent_at + window
        if row.outcome in {Outcome.REOPENED, Outcome.NOT_HELPED} and in_window:
            c.reopened += 1
        if row.outcome == Outcome.NOT_HELPED:
            c.not_helped += 1
        elif any(at >= row.sent_at for at in corrections.get(row.case_id, ())):
            c.corrected += 1  # a wrong intent answered, even if the customer did not complain
    with transaction.atomic():
        AutomationDailyStat.objects.filter(day__gte=first, day__lte=last).delete()
        AutomationDailyStat.objects.bulk_create(
            [
                AutomationDailyStat(
                    day=day,
                    intent=intent,
                    channel=channel,
                    computed_at=now,
                    decided=c.decided,
                    standard=c.standard,
                    auto_answered=c.auto_answered,
                    would_auto_answer=c.would_auto_answer,
                    suggested=c.suggested,
                    routed=c.routed,
                    reopened=c.reopened,
                    not_helped=c.not_helped,
                    corrected=c.corrected,
                    shadow_corrected=c.shadow_corrected,
                )
                for (day, intent, channel), c in sorted(counts.items())
            ]
        )
    return len(counts)


def compute_recent(*, now: datetime | None = None) -> int:
    """The periodic job's work: today and every day whose answers may still be reopened."""
    now = now or timezone.now()
    window_days = AutomationSettings.load().reopen_window_days
    today = timezone.localtime(now, BERLIN).date()
    return compute(
        first=today - timedelta(days=window_days + 1), last=today, window_days=window_days, now=now
    )
