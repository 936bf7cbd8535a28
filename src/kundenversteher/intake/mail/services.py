"""Writes of the mail transport: poll leases, fetched mail, folder state, the outbound queue.

Network I/O (IMAP, SMTP) never happens here: ``imap.py`` and ``outbound.py`` talk to servers
and call these functions between their round trips, one short transaction each.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kundenversteher.cases.models import Case
from kundenversteher.events.services import record
from kundenversteher.intake import services as intake_services
from kundenversteher.intake.mail import crypto
from kundenversteher.intake.mail.models import (
    FolderState,
    Mailbox,
    OutboundMail,
    ReceivedMail,
)
from kundenversteher.lib.tasks import backoff_seconds

Actor = AbstractBaseUser | AnonymousUser | None


# --- mailbox configuration --------------------------------------------------------------------


def set_mailbox_passwords(
    *, mailbox_id: int, imap_password: str | None = None, smtp_password: str | None = None
) -> None:
    """Store new passwords encrypted. ``None`` keeps the stored one, "" removes it."""
    fields: dict[str, str] = {}
    if imap_password is not None:
        fields["imap_password_encrypted"] = crypto.encrypt(imap_password)
    if smtp_password is not None:
        fields["smtp_password_encrypted"] = crypto.encrypt(smtp_password)
    if fields:
        Mailbox.objects.filter(pk=mailbox_id).update(**fields, updated_at=timezone.now())


def rotate_credentials() -> int:
    """Re-encrypt every stored password under the current key (see ``crypto`` for the story)."""
    count = 0
    with transaction.atomic():
        for mailbox in Mailbox.objects.select_for_update().order_by("pk"):
            mailbox.imap_password_encrypted = crypto.rotate(mailbox.imap_password_encrypted)
            mailbox.smtp_password_encrypted = crypto.rotate(mailbox.smtp_password_encrypted)
            mailbox.save(update_fields=["imap_password_encrypted", "smtp_password_encrypted"])
            count += 1
    return count


def record_connection_test(*, mailbox_id: int, by: Actor, ok: bool, detail: str) -> None:
    """The admin's "Verbindung testen": the outcome is an event (who tested what, when)."""
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    with transaction.atomic():
        record(
            "mail.connection_tested",
            actor=by,
            channel="email",
            subject=mailbox,
            data={"mailbox_id": mailbox_id, "ok": ok, "detail": detail[:500]},
        )


# --- polling ----------------------------------------------------------------------------------


def claim_poll(*, mailbox_id: int, lease_seconds: int = 300, now: datetime | None = None) -> bool:
    """Take the mailbox's poll lease (conditional UPDATE). False: someone else is polling."""
    now = now or timezone.now()
    return bool(
        Mailbox.objects.filter(pk=mailbox_id, active=True)
        .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
        .update(poll_lease_until=now + timedelta(seconds=lease_seconds))
    )


def finish_poll(*, mailbox_id: int, error: str = "") -> None:
    Mailbox.objects.filter(pk=mailbox_id).update(
        poll_lease_until=None, last_polled_at=timezone.now(), last_error=error[:2000]
    )


def open_folder(*, mailbox_id: int, folder: str, uidvalidity: int) -> FolderState:
    """The folder's sync state; a changed UIDVALIDITY starts over from UID 0.

    The old UIDs mean nothing any more. Everything is fetched again and intake's dedupe
    (Message-ID, content hash) turns the re-fetch into no-ops.
    """
    with transaction.atomic():
        state, _created = FolderState.objects.select_for_update().get_or_create(
            mailbox_id=mailbox_id, folder=folder
        )
        if state.uidvalidity != uidvalidity:
            if state.uidvalidity is not None:
                state.full_resyncs += 1
            state.uidvalidity = uidvalidity
            state.last_uid = 0
            state.save(update_fields=["uidvalidity", "last_uid", "full_resyncs"])
    return state


def store_fetched(
    *,
    mailbox: Mailbox,
    folder: str,
    uidvalidity: int | None,
    uid: int | None,
    raw: bytes | None,
    source: str,
    meta: dict[str, Any] | None = None,
) -> ReceivedMail | None:
    """Hand one fetched mail to intake and advance the folder's last UID, in one transaction.

    ``raw`` None: the UID vanished between SEARCH and FETCH (expunged); only the UID advances.
    """
    with transaction.atomic():
        received = None
        if raw is not None:
            result = intake_services.receive(
                channel="email",
                raw=raw,
                source=source,
                meta={"mailbox_id": mailbox.pk, "folder": folder, "uid": uid, **(meta or {})},
            )
            received = ReceivedMail.objects.create(
                mailbox=mailbox,
                folder=folder,
                uidvalidity=uidvalidity,
                uid=uid,
                inbound_id=result.inbound_id,
                duplicate=result.duplicate,
            )
        if uid is not None:
            FolderState.objects.filter(mailbox=mailbox, folder=folder, last_uid__lt=uid).update(
                last_uid=uid, last_synced_at=timezone.now()
            )
    return received


def receive_smtp(
    *, mailbox: Mailbox, raw: bytes, mail_from: str, rcpt_tos: list[str], peer: str
) -> ReceivedMail:
    """A mail piped in by a mail server over SMTP: stored like a fetched one, nothing to mark."""
    with transaction.atomic():
        result = intake_services.receive(
            channel="email",
            raw=raw,
            source=f"smtp:{mailbox.name}",
            meta={
                "mailbox_id": mailbox.pk,
                "mail_from": mail_from[:320],
                "rcpt_tos": [r[:320] for r in rcpt_tos[:50]],
                "peer": peer[:100],
            },
        )
        return ReceivedMail.objects.create(
            mailbox=mailbox,
            inbound_id=result.inbound_id,
            duplicate=result.duplicate,
            marked_at=timezone.now(),
        )


def pending_marks(*, mailbox_id: int, folder: str, uidvalidity: int) -> list[ReceivedMail]:
    """Committed mail not yet flagged or moved on the server (a poll was interrupted)."""
    return list(
        ReceivedMail.objects.filter(
            mailbox_id=mailbox_id,
            folder=folder,
            uidvalidity=uidvalidity,
            marked_at__isnull=True,
            uid__isnull=False,
        ).order_by("uid")
    )


def set_marked(*, received_ids: Iterable[int]) -> None:
    ReceivedMail.objects.filter(pk__in=list(received_ids)).update(marked_at=timezone.now())


def drop_stale_marks(*, mailbox_id: int, folder: str, uidvalidity: int) -> int:
    """Marks pending under an old UIDVALIDITY cannot be applied: those UIDs are gone."""
    return (
        ReceivedMail.objects.filter(mailbox_id=mailbox_id, folder=folder, marked_at__isnull=True)
        .exclude(uidvalidity=uidvalidity)
        .update(marked_at=timezone.now())
    )


# --- outbound queue ---------------------------------------------------------------------------


def queue_outbound(
    *,
    kind: str,
    dedupe_key: str,
    mailbox_id: int,
    case_id: int | None,
    message_id: str,
    from_address: str,
    to_address: str,
    subject: str,
    body_text: str,
    headers: dict[str, str],
    language: str,
) -> tuple[OutboundMail, bool]:
    """Queue one mail (idempotent by ``dedupe_key``); returns (row, created).

    The Message-ID is indexed for threading in the same transaction, so a customer's reply to
    it finds the case even while the mail still waits in the queue. The caller enqueues the
    ``send_outbound`` task after commit when ``created``.
    """
    existing = OutboundMail.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            mail = OutboundMail.objects.create(
                kind=kind,
                dedupe_key=dedupe_key,
                mailbox_id=mailbox_id,
                case_id=case_id,
                message_id=message_id,
                from_address=from_address,
                to_address=to_address,
                subject=subject[:500],
                body_text=body_text,
                headers=headers,
                language=language,
                next_attempt_at=timezone.now(),
            )
            if case_id is not None:
                intake_services.remember_message_id(message_id=message_id, case_id=case_id)
    except IntegrityError:
        # A concurrent run of the same reaction queued it first.
        return OutboundMail.objects.get(dedupe_key=dedupe_key), False
    return mail, True


def skip_outbound(*, kind: str, dedupe_key: str, mailbox_id: int, reason: str) -> None:
    """Remember a decision not to send (loop protection), visible in the admin, idempotent."""
    OutboundMail.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "kind": kind,
            "mailbox_id": mailbox_id,
            "state": OutboundMail.State.SKIPPED,
            "message_id": f"<skipped-{dedupe_key}>",
            "subject": "",
            "body_text": "",
            "last_error": reason[:2000],
        },
    )


def claim_outbound(*, outbound_id: int, now: datetime | None = None) -> bool:
    """queued and due → sending. Only the winner of this conditional UPDATE talks to SMTP."""
    now = now or timezone.now()
    return bool(
        OutboundMail.objects.filter(pk=outbound_id, state=OutboundMail.State.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(state=OutboundMail.State.SENDING, claimed_at=now)
    )


def mark_sent(*, outbound_id: int) -> None:
    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update().get(pk=outbound_id)
        mail.state = OutboundMail.State.SENT
        mail.sent_at = timezone.now()
        mail.attempts += 1
        mail.last_error = ""
        mail.save(update_fields=["state", "sent_at", "attempts", "last_error", "updated_at"])
        record(
            "mail.sent",
            channel="email",
            case_id=mail.case_id,
            customer_id=_customer_of(mail.case_id),
            subject=mail,
            data={"outbound_id": mail.pk, "kind": mail.kind, "message_id": mail.message_id},
        )


def mark_attempt_failed(
    *, outbound_id: int, error: str, max_attempts: int, base_delay_seconds: float
) -> OutboundMail:
    """Back to the queue with exponential backoff, or FAILED after ``max_attempts``."""
    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update().get(pk=outbound_id)
        mail.attempts += 1
        mail.last_error = error[:2000]
        if mail.attempts >= max_attempts:
            mail.state = OutboundMail.State.FAILED
            mail.next_attempt_at = None
            record(
                "mail.failed",
                channel="email",
                case_id=mail.case_id,
                customer_id=_customer_of(mail.case_id),
                subject=mail,
                data={"outbound_id": mail.pk, "kind": mail.kind, "error": error[:500]},
            )
        else:
            mail.state = OutboundMail.State.QUEUED
            delay = backoff_seconds(mail.attempts, base=base_delay_seconds)
            mail.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        mail.save(
            update_fields=["attempts", "last_error", "state", "next_attempt_at", "updated_at"]
        )
    return mail


def requeue_outbound(*, outbound_id: int, by: Actor) -> bool:
    """Admin: a failed mail gets a fresh series of attempts."""
    with transaction.atomic():
        updated = OutboundMail.objects.filter(
            pk=outbound_id, state=OutboundMail.State.FAILED
        ).update(state=OutboundMail.State.QUEUED, attempts=0, next_attempt_at=timezone.now())
        if updated:
            record(
                "mail.requeued",
                actor=by,
                channel="email",
                data={"outbound_id": outbound_id},
            )
    return bool(updated)


def release_stale_sending(*, older_than: timedelta) -> int:
    """A sender that died between claim and result leaves the row in ``sending``: requeue it.

    This is the one place a mail can go out twice (SMTP accepted it, the process died before
    ``mark_sent``); the stable Message-ID lets the receiving side recognise the copy.
    """
    cutoff = timezone.now() - older_than
    return OutboundMail.objects.filter(
        state=OutboundMail.State.SENDING, claimed_at__lt=cutoff
    ).update(state=OutboundMail.State.QUEUED, next_attempt_at=timezone.now())


def _customer_of(case_id: int | None) -> int | None:
    if case_id is None:
        return None
    value = Case.objects.filter(pk=case_id).values_list("customer_id", flat=True).first()
    return int(value) if value is not None else None
