"""Typed builders for inbound messages: RFC 822 mails as the adapters deliver them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from kundenversteher.cases.models import Channel
from kundenversteher.intake import pipeline
from kundenversteher.intake.services import receive
from kundenversteher.intake.types import ProcessOutcome, ReceiveResult

BERLIN = ZoneInfo("Europe/Berlin")


def make_mail(
    *,
    text: str = "Guten Tag, meine Wärmepumpe zeigt den Fehler E42. Bitte um Rückruf.",
    subject: str = "Störung Wärmepumpe",
    from_address: str = "anna.schmidt@example.de",
    from_name: str = "Anna Schmidt",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"{from_name} <{from_address}>" if from_name else from_address
    mail["To"] = "service@brenner-waermetechnik.de"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN))
    mail["Message-ID"] = message_id or make_msgid(domain="example.de")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(text)
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


def receive_mail(raw: bytes, *, source: str = "imap:Service/INBOX", **kwargs: Any) -> ReceiveResult:
    return receive(channel=Channel.EMAIL, raw=raw, source=source, **kwargs)


def make_config(**overrides: Any) -> pipeline.PipelineConfig:
    values: dict[str, Any] = {
        "max_attachment_bytes": settings.KV_MAX_ATTACHMENT_BYTES,
        "model_dir": Path(settings.KV_MODEL_DIR),
        "max_attempts": 3,
    }
    return pipeline.PipelineConfig(**{**values, **overrides})


def run(inbound_id: int, **overrides: Any) -> ProcessOutcome:
    """One pipeline run, as the task would do it."""
    return pipeline.process(inbound_id, config=make_config(**overrides))
