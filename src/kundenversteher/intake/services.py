"""Writes of intake: storing deliveries raw, the Message-ID index, dead-letter retries.

The pipeline's own transactional steps (claim, file, fail) live in ``pipeline.py``; this module
holds what adapters, the admin and the periodic sweeper call.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kundenversteher.events.services import record
from kundenversteher.intake import pipeline
from kundenversteher.intake.errors import InboundNotFound, NotRetryable
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.tasks import process_inbound
from kundenversteher.intake.types import ReceiveResult
from kundenversteher.lib.tasks import enqueue_on_commit

Actor = AbstractBaseUser | AnonymousUser | None

RAW_DIR = "intake"  # below MEDIA_ROOT; never served by the web server


def raw_relative_path(sha256: str) -> str:
    """Content-addressed: the same bytes are stored once, whatever channel brought them."""
    return f"{RAW_DIR}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _write_durably(path: Path, content: bytes) -> None:
    """Write, fsync the file and its directory: after this returns, a power cut loses nothing.

    Called before the row is committed, so a committed row always has its bytes on disk (a
    crash in between leaves an orphan file, which is harmless and re-used by the next delivery).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size == len(content):
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _header_message_id(raw: bytes) -> str:
    # Headers only, leniently (compat32): receive must never fail on a malformed mail.
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    value = headers.get("Message-ID", "")
    return pipeline.normalise_message_id(str(value)) if value else ""


def receive(
    *,
    channel: str,
    raw: bytes,
    source: str,
    content_type: str = "message/rfc822",
    filename: str = "",
    dedupe_key: str = "",
    meta: Mapping[str, Any] | None = None,
    received_at: datetime | None = None,
) -> ReceiveResult:
    """Store one delivery exactly as it arrived and schedule its processing after commit.

    The dedupe key defaults to the Message-ID (same mail fetched from two mailboxes) or else the
    SHA-256 of the bytes; a delivery whose key or bytes are already stored is a no-op returning
    the existing row.
    """
    sha256 = hashlib.sha256(raw).hexdigest()
    message_id = _header_message_id(raw) if content_type == "message/rfc822" else ""
    key = dedupe_key or (f"message-id:{message_id}" if message_id else f"sha256:{sha256}")
    key = key[:500]
    existing = (
        InboundMessage.objects.filter(Q(dedupe_key=key) | Q(raw_sha256=sha256))
        .values_list("id", flat=True)
        .first()
    )
    if existing is not None:
        return ReceiveResult(inbound_id=existing, duplicate=True)
    relative = raw_relative_path(sha256)
    _write_durably(Path(settings.MEDIA_ROOT) / relative, raw)
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                channel=channel,
                source=source[:200],
                raw_path=relative,
                raw_sha256=sha256,
                raw_size=len(raw),
                content_type=content_type[:150],
                filename=filename[:255],
                meta=dict(meta or {}),
                message_id=message_id,
                dedupe_key=key,
                received_at=received_at or timezone.now(),
            )
            record(
                "intake.received",
                channel=channel,
                subject=inbound,
                data={"inbound_id": inbound.pk, "source": inbound.source, "size": len(raw)},
            )
            enqueue_on_commit(process_inbound, inbound.pk)
    except IntegrityError:
        # A concurrent delivery of the same message won the unique dedupe key.
        winner = InboundMessage.objects.filter(dedupe_key=key).values_list("id", flat=True).first()
        if winner is None:
            raise
        return ReceiveResult(inbound_id=winner, duplicate=True)
    return ReceiveResult(inbound_id=inbound.pk, duplicate=False)


def reject_submission(*, channel: str, source: str, reason: str) -> None:
    """Count a submission refused before storage (a filled honeypot): an event without
    personal data, so rejections are visible without keeping what a bot sent."""
    record("intake.rejected", channel=channel, data={"source": source, "reason": reason})


def remember_message_id(*, message_id: str, case_id: int) -> None:
    """Note that ``message_id`` belongs to ``case_id``; replies referring to it thread there.

    Outbound mail (acknowledgements, agents' replies) and inbound mail alike. The first
    assignment wins: a Message-ID never moves to another case.
    """
    pipeline.index_message_id(message_id=pipeline.normalise_message_id(message_id), case_id=case_id)


def retry_inbound(*, inbound_id: int, by: Actor) -> InboundMessage:
    """Send a dead letter through the pipeline again (the admin's "Erneut verarbeiten")."""
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().filter(pk=inbound_id).first()
        if inbound is None:
            raise InboundNotFound(_("Eingangsnachricht nicht gefunden."))
        if inbound.state != InboundState.FAILED:
            raise NotRetryable(
                _("Nur fehlgeschlagene Nachrichten können erneut verarbeitet werden.")
            )
        inbound.state = InboundState.RECEIVED
        inbound.attempts = 0
        inbound.claim_token = ""
        inbound.claimed_at = None
        inbound.save(update_fields=["state", "attempts", "claim_token", "claimed_at"])
        record(
            "intake.retried",
            actor=by,
            channel=inbound.channel,
            subject=inbound,
            data={"inbound_id": inbound.pk, "last_error": inbound.last_error[:500]},
        )
        enqueue_on_commit(process_inbound, inbound.pk)
    return inbound


def requeue_stale_inbound(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Re-nudge rows whose processing was lost (worker killed, task lost); see
    ``pipeline.release_stale``. Returns the number of rows."""
    with transaction.atomic():
        ids = pipeline.release_stale(older_than=older_than, now=now)
        for inbound_id in ids:
            enqueue_on_commit(process_inbound, inbound_id)
    return len(ids)
