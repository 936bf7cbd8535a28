"""Background work of the automation: sending, reviewing replies, daily figures.

All tasks take ids and are safe to run twice. The reactions (``*_on_*``, taking an event id)
are wired in ``kundenversteher.wiring``; ``compute_daily_stats`` is a periodic job.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kundenversteher.events.models import Event
from kundenversteher.knowledge.automation import metrics, services
from kundenversteher.lib.tasks import durable_task


def _payload(event_id: int) -> tuple[Event, dict[str, Any]] | None:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return None
    return event, dict(event.payload or {})


@durable_task(max_attempts=5, base_delay_seconds=30.0)
def send_auto_answer(decision_id: int) -> str:
    """Send the automatic answer of one decision (no-op unless live and not yet sent)."""
    return services.send_auto_answer(decision_id=decision_id)


@durable_task(max_attempts=5, base_delay_seconds=30.0)
def auto_answer_on_decided(event_id: int) -> str:
    """Reaction to ``automation.decided``: a live auto-answer decision is sent."""
    found = _payload(event_id)
    if found is None:
        return "event not found"
    _event, data = found
    if data.get("action") != "auto_answer" or data.get("shadow"):
        return "nothing to send"
    return services.send_auto_answer(decision_id=int(data["decision_id"]))


@durable_task(max_attempts=5, base_delay_seconds=30.0)
def review_reply_on_processed(event_id: int) -> str:
    """Reaction to ``intake.processed``: a customer's reply in a case with an automatic answer."""
    found = _payload(event_id)
    if found is None:
        return "event not found"
    event, data = found
    if data.get("new_case") or data.get("automatic") or event.case_id is None:
        return "not a customer reply in a running case"
    if data.get("message_id") is None:
        return "no message"
    return services.review_customer_reply(case_id=event.case_id, message_id=int(data["message_id"]))


@task(queue_name="periodic")
def compute_daily_stats() -> int:
    """Periodic: recompute the figures of the last days (reopen window included)."""
    return metrics.compute_recent()
