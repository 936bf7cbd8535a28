"""Tasks of the mail transport. All take ids and are safe to run twice.

- ``poll_mailboxes`` (periodic): poll every active mailbox once (the IDLE watcher does the same
  for its mailboxes as soon as the server reports new mail).
- ``send_outbound(outbound_id)``: one delivery attempt; ``send_due_outbound`` (periodic) retries
  rows whose backoff has passed, so a mail survives a worker restart while SMTP is down.
- ``send_case_reply(event_id)`` / ``send_acknowledgement(event_id)``: reactions to
  ``case.message_added`` and ``intake.processed`` (wired in ``kundenversteher.wiring``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django_tasks import task

from kundenversteher.events.models import Event
from kundenversteher.intake.mail import imap, outbound, queries, services
from kundenversteher.lib.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)


@task(queue_name="default")
def poll_mailbox(mailbox_id: int) -> dict[str, Any]:
    try:
        result = imap.poll_mailbox(mailbox_id=mailbox_id)
    except imap.MailboxUnavailableError as exc:
        # The next periodic run retries; the error is visible on the mailbox in the admin.
        return {"mailbox_id": mailbox_id, "error": str(exc)}
    return {
        "mailbox_id": mailbox_id,
        "skipped": result.skipped,
        "new": result.new,
        "duplicates": result.duplicates,
    }


@task(queue_name="periodic")
def poll_mailboxes() -> int:
    """Periodic: one poll task per active mailbox (a slow server does not hold up the others)."""
    ids = queries.active_mailbox_ids()
    for mailbox_id in ids:
        poll_mailbox.enqueue(mailbox_id)
    return len(ids)


@task(queue_name="default")
def send_outbound(outbound_id: int) -> str:
    return outbound.deliver(outbound_id=outbound_id)


@task(queue_name="periodic")
def send_due_outbound() -> int:
    """Periodic: retry queued mail whose backoff has passed; requeue senders that died."""
    services.release_stale_sending(older_than=timedelta(minutes=10))
    ids = queries.due_outbound_ids()
    for outbound_id in ids:
        outbound.deliver(outbound_id=outbound_id)
    return len(ids)


def _event_payload(event_id: int) -> tuple[Event, dict[str, Any]] | None:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return None
    return event, dict(event.payload or {})


@task(queue_name="default")
def send_case_reply(event_id: int) -> str:
    """Reaction to ``case.message_added``: an agent's outbound e-mail goes out."""
    found = _event_payload(event_id)
    if found is None:
        return "event not found"
    _event, data = found
    if data.get("direction") != "outbound" or data.get("channel") not in {"email", "web_form"}:
        return "not an outbound e-mail"
    queued = outbound.queue_reply(case_message_id=int(data["message_id"]))
    if queued.outbound_id is not None and not queued.reason:
        enqueue_on_commit(send_outbound, queued.outbound_id)
    return queued.reason or f"queued {queued.outbound_id}"


@task(queue_name="default")
def send_acknowledgement(event_id: int) -> str:
    """Reaction to ``intake.processed``: acknowledge a new case opened by a person's e-mail."""
    found = _event_payload(event_id)
    if found is None:
        return "event not found"
    event, data = found
    if data.get("automatic") or not data.get("new_case") or event.channel != "email":
        return "no acknowledgement wanted"
    if data.get("automation_sends"):
        return "answered automatically instead"
    if event.case_id is None or data.get("inbound_id") is None:
        return "no case"
    queued = outbound.queue_acknowledgement(
        inbound_id=int(data["inbound_id"]),
        case_id=event.case_id,
        language=str(data.get("language") or "de"),
    )
    if queued.outbound_id is not None and not queued.reason:
        enqueue_on_commit(send_outbound, queued.outbound_id)
    return queued.reason or f"queued {queued.outbound_id}"
