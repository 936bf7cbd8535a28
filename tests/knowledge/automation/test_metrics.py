"""Daily figures: automation rate and precision per day × intent × channel."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kundenversteher.cases.services import correct_understanding
from kundenversteher.knowledge.automation import metrics, services
from kundenversteher.knowledge.automation.models import AutomationDailyStat, AutomationDecision
from kundenversteher.knowledge.automation.queries import automation_summary
from kundenversteher.knowledge.automation.tasks import compute_daily_stats
from kundenversteher.knowledge.automation.types import Action, Mode, Outcome
from tests.cases.factories import make_agent
from tests.knowledge.automation.factories import NOW, FakeComposer, make_decided_case, set_mode

DAY = date(2026, 11, 23)


def sent(**kwargs) -> AutomationDecision:
    _case, row = make_decided_case(now=NOW, **kwargs)
    assert services.send_auto_answer(
        decision_id=row.pk, composer=FakeComposer(), now=NOW
    ).startswith("sent ")
    row.refresh_from_db()
    return row


def judge(row: AutomationDecision, outcome: Outcome, *, after: timedelta) -> None:
    AutomationDecision.objects.filter(pk=row.pk).update(
        outcome=outcome.value, outcome_at=NOW + after
    )


def test_counts_rates_and_precision_per_intent_and_channel(db):
    set_mode(Mode.LIVE)
    kept = sent()
    reopened = sent()
    unhelpful = sent()
    late = sent()
    corrected = sent()
    sent(channel="web_form")
    make_decided_case(action=Action.ROUTE, now=NOW)
    make_decided_case(action=Action.SUGGEST, now=NOW)
    make_decided_case(shadow=True, now=NOW)
    judge(reopened, Outcome.REOPENED, after=timedelta(days=2))
    judge(unhelpful, Outcome.NOT_HELPED, after=timedelta(hours=3))
    judge(late, Outcome.REOPENED, after=timedelta(days=9))
    correct_understanding(
        case_id=corrected.case_id,
        field="intent",
        value="delivery_date",
        by=make_agent("anna", teams=[], role="admin"),
    )
    assert kept.outcome == "answered"

    written = metrics.compute(first=DAY, last=DAY, window_days=7, now=NOW)

    assert written == 2
    mail = AutomationDailyStat.objects.get(day=DAY, intent="order_status", channel="email")
    assert (
        mail.decided,
        mail.standard,
        mail.auto_answered,
        mail.would_auto_answer,
        mail.suggested,
        mail.routed,
        mail.reopened,
        mail.not_helped,
        mail.corrected,
    ) == (8, 8, 5, 1, 1, 1, 2, 1, 1)
    assert mail.precision == 3 / 5
    assert mail.automation_rate == 3 / 8
    form = AutomationDailyStat.objects.get(day=DAY, channel="web_form")
    assert (form.auto_answered, form.precision, form.automation_rate) == (1, 1.0, 1.0)


def test_recomputing_replaces_the_rows_of_the_days(db):
    set_mode(Mode.LIVE)
    sent()
    metrics.compute(first=DAY, last=DAY, window_days=7, now=NOW)
    sent()

    metrics.compute(first=DAY, last=DAY, window_days=7, now=NOW)

    assert AutomationDailyStat.objects.get().auto_answered == 2


def test_summary_groups_over_days(db):
    set_mode(Mode.LIVE)
    sent()
    sent(channel="web_form")
    metrics.compute(first=DAY, last=DAY, window_days=7, now=NOW)

    by_channel = automation_summary(DAY, DAY, by=("channel",))
    overall = automation_summary(DAY - timedelta(days=3), DAY, by=())

    assert [(r.channel, r.intent, r.auto_answered) for r in by_channel] == [
        ("email", "", 1),
        ("web_form", "", 1),
    ]
    [total] = overall
    assert (total.decided, total.auto_answered, total.precision, total.automation_rate) == (
        2,
        2,
        1.0,
        1.0,
    )


def test_the_periodic_job_computes_today_and_the_reopen_window(db):
    set_mode(Mode.LIVE)
    _case, today = make_decided_case()  # decided now
    _case, old = make_decided_case()
    AutomationDecision.objects.filter(pk=old.pk).update(
        created_at=today.created_at - timedelta(days=30)
    )

    assert compute_daily_stats.call() == 1

    stat = AutomationDailyStat.objects.get()
    assert stat.decided == 1
    assert stat.day == timezone.localtime(today.created_at, metrics.BERLIN).date()


def test_shadow_mode_measures_the_precision_to_expect(db):
    agent = make_agent("anna", teams=[], role="admin")
    rows = [make_decided_case(shadow=True, now=NOW)[1] for _ in range(4)]
    correct_understanding(case_id=rows[0].case_id, field="intent", value="invoice_copy", by=agent)

    metrics.compute(first=DAY, last=DAY, window_days=7, now=NOW)

    stat = AutomationDailyStat.objects.get()
    assert (stat.would_auto_answer, stat.shadow_corrected, stat.auto_answered) == (4, 1, 0)
    assert stat.shadow_precision == 3 / 4
    assert stat.precision is None
    [summary] = automation_summary(DAY, DAY, by=())
    assert summary.shadow_precision == 3 / 4
