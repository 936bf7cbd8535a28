"""Reads of intake: originals for display, dead letters, the Message-ID index."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from kundenversteher.intake.models import InboundMessage, InboundState, MessageIdIndex
from kundenversteher.intake.types import Original

RAW_REF_PREFIX = "intake:"


def raw_ref_for(inbound_id: int) -> str:
    """What ``cases.Message.raw_ref`` holds for a message that came through intake."""
    return f"{RAW_REF_PREFIX}{inbound_id}"


def inbound_id_from_raw_ref(raw_ref: str) -> int | None:
    if not raw_ref.startswith(RAW_REF_PREFIX):
        return None
    number = raw_ref.removeprefix(RAW_REF_PREFIX)
    return int(number) if number.isdigit() else None


def read_raw(inbound: InboundMessage) -> bytes | None:
    """The stored original bytes, or None when they were erased or lost."""
    if not inbound.raw_path:
        return None
    path = Path(settings.MEDIA_ROOT) / inbound.raw_path
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def get_original(*, raw_ref: str) -> Original | None:
    """System lookup of the original behind a case message (``raw_ref`` "intake:<id>").

    No access check here: the caller has already checked that the user may see the message.
    """
    inbound_id = inbound_id_from_raw_ref(raw_ref)
    if inbound_id is None:
        return None
    inbound = InboundMessage.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return None
    content = read_raw(inbound)
    if content is None:
        return None
    return Original(
        content=content,
        content_type=inbound.content_type,
        filename=inbound.filename,
        channel=inbound.channel,
        ocr_confidence=inbound.ocr_confidence,
    )


def find_case_by_message_ids(message_ids: list[str]) -> int | None:
    """The case the first known Message-ID belongs to (In-Reply-To first, then References)."""
    wanted = [m for m in message_ids if m]
    if not wanted:
        return None
    known = dict(
        MessageIdIndex.objects.filter(message_id__in=wanted).values_list("message_id", "case_id")
    )
    for message_id in wanted:
        if message_id in known:
            return int(known[message_id])
    return None


def list_dead_letters(*, limit: int = 100) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(state=InboundState.FAILED).order_by("-received_at")[:limit]


def get_inbound_state(*, inbound_id: int) -> str | None:
    state = InboundMessage.objects.filter(pk=inbound_id).values_list("state", flat=True).first()
    return str(state) if state is not None else None
