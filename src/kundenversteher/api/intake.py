"""/api/v1/intake: external forms and scanners hand in customer messages.

Both operations only store the delivery (``intake.services.receive``) and answer 202 with the
inbound id; the pipeline files it as a case in the background. A repeated ``external_id`` (per
API user) is a no-op answering 200 with the same id, so a client may safely retry.

Only staff users or their tokens may post: the caller vouches for the sender address, and the
address decides which customer's case the message joins.
"""

from __future__ import annotations

import base64
import binascii
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import field_validator

from kundenversteher.api.auth import ensure_staff, requires
from kundenversteher.api.schemas import ErrorOut, with_errors
from kundenversteher.cases.models import Channel
from kundenversteher.intake.queries import get_inbound_state
from kundenversteher.intake.services import receive
from kundenversteher.intake.types import ReceiveResult

router = Router(tags=["intake"])
# Add to api.models.Scope as INTAKE_WRITE = "intake:write" (see the lead's wiring notes).
INTAKE_WRITE = "intake:write"
WRITE = requires(INTAKE_WRITE)
MAX_ATTACHMENTS = 10
# Scans a letter may arrive as, recognised by their first bytes (never the declared type).
_SCAN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def _one_line(value: str) -> str:
    return " ".join(value.split())


class AttachmentIn(Schema):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field("application/octet-stream", max_length=100)
    content_base64: str


class IntakeMessageIn(Schema):
    from_address: str = Field(alias="from", max_length=254)
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    subject: str = Field(min_length=1, max_length=255)
    text: str = Field(min_length=1, max_length=100_000)
    language: str = Field("", max_length=8)
    external_id: str = Field("", max_length=200)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @field_validator("from_address")
    @classmethod
    def _valid_address(cls, value: str) -> str:
        value = value.strip()
        try:
            validate_email(value)  # Django's rules, as for every other address we store
        except ValidationError as exc:
            raise ValueError(_("Keine gültige E-Mail-Adresse.")) from exc
        return value

    @field_validator("name", "subject")
    @classmethod
    def _no_line_breaks(cls, value: str) -> str:
        return _one_line(value)


class IntakeAccepted(Schema):
    id: int
    state: str
    duplicate: bool


def _dedupe_key(request: HttpRequest, external_id: str) -> str:
    # Namespaced per API user: two systems may both number their submissions from 1.
    return f"api:{request.user.pk}:{external_id}" if external_id else ""


def _answer(result: ReceiveResult) -> Status[dict[str, Any]]:
    state = get_inbound_state(inbound_id=result.inbound_id) or "received"
    body = {"id": result.inbound_id, "state": state, "duplicate": result.duplicate}
    return Status(200 if result.duplicate else 202, body)


def _too_large(name: str) -> Status[dict[str, Any]]:
    limit_mb = int(settings.KV_MAX_ATTACHMENT_BYTES) // (1024 * 1024)
    return Status(
        413,
        {
            "detail": _("„%(name)s“ ist zu groß (höchstens %(mb)d MB je Datei).")
            % {"name": name, "mb": limit_mb},
            "code": "attachment_too_large",
        },
    )


@router.post(
    "/messages",
    response=with_errors({200: IntakeAccepted, 202: IntakeAccepted, 400: ErrorOut}),
    auth=WRITE,
)
def post_message(request: HttpRequest, payload: IntakeMessageIn) -> Status[dict[str, Any]]:
    """A message from an external form: stored, then filed as a case (channel ``api``)."""
    ensure_staff(request)
    limit = int(settings.KV_MAX_ATTACHMENT_BYTES)
    mail = EmailMessage()
    mail["From"] = formataddr((payload.name, payload.from_address))
    mail["To"] = "api@kundenversteher.invalid"
    mail["Subject"] = payload.subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="api.kundenversteher.invalid")
    if payload.language:
        mail["Content-Language"] = _one_line(payload.language)
    mail.set_content(payload.text)
    for attachment in payload.attachments:
        try:
            content = base64.b64decode(attachment.content_base64, validate=True)
        except (binascii.Error, ValueError):
            return Status(
                400,
                {
                    "detail": _("„%(name)s“ ist nicht gültig Base64-kodiert.")
                    % {"name": attachment.filename},
                    "code": "invalid_attachment",
                },
            )
        if len(content) > limit:
            return _too_large(attachment.filename)
        maintype, _sep, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=_one_line(attachment.filename),
        )
    result = receive(
        channel=Channel.API,
        raw=mail.as_bytes(),
        source=f"api:{request.user.get_username()}",
        dedupe_key=_dedupe_key(request, payload.external_id),
        meta={
            "name": payload.name,
            "phone": payload.phone,
            "language": payload.language,
            "external_id": payload.external_id,
        },
    )
    return _answer(result)


@router.post(
    "/documents",
    response=with_errors({200: IntakeAccepted, 202: IntakeAccepted, 415: ErrorOut}),
    auth=WRITE,
)
def post_document(
    request: HttpRequest,
    file: File[UploadedFile],
    name: Form[str] = "",
    email: Form[str] = "",
    subject: Form[str] = "",
    external_id: Form[str] = "",
) -> Status[dict[str, Any]]:
    """A scanned letter (PDF, TIFF, PNG, JPEG): read by OCR and filed as channel ``letter``."""
    ensure_staff(request)
    if (file.size or 0) > int(settings.KV_MAX_ATTACHMENT_BYTES):
        return _too_large(file.name or "scan")
    content = file.read()
    content_type = next((t for magic, t in _SCAN_MAGIC if content.startswith(magic)), "")
    if not content_type:
        return Status(
            415,
            {
                "detail": _("Bitte einen Scan als PDF, TIFF, PNG oder JPEG hochladen."),
                "code": "unsupported_media_type",
            },
        )
    result = receive(
        channel=Channel.LETTER,
        raw=content,
        source=f"api:{request.user.get_username()}",
        content_type=content_type,
        filename=_one_line(file.name or ""),
        dedupe_key=_dedupe_key(request, _one_line(external_id)[:200]),
        meta={
            "name": _one_line(name)[:200],
            "email": _one_line(email)[:254],
            "subject": _one_line(subject)[:255],
            "external_id": _one_line(external_id)[:200],
        },
    )
    return _answer(result)
