"""Reads of the mail transport: which mailbox answers, to whom, in which thread."""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses

from django.db.models import Q
from django.utils import timezone

from kundenversteher.cases.models import Case, Channel, Message
from kundenversteher.intake.mail.models import Mailbox, OutboundMail
from kundenversteher.intake.models import InboundMessage
from kundenversteher.intake.queries import RAW_REF_PREFIX, inbound_id_from_raw_ref, read_raw


@dataclass(frozen=True, slots=True)
class InboundMailHeaders:
    """What an answer needs from the customer's mail."""

    inbound_id: int
    mailbox_id: int | None
    reply_to: str  # Reply-To, else From (bare address)
    subject: str
    message_id: str
    references: tuple[str, ...]
    header_pairs: tuple[tuple[str, str], ...]


def _safe_header(headers: object, name: str) -> str:
    try:
        value = headers.get(name)  # type: ignore[attr-defined]
    except (ValueError, IndexError, TypeError):
        # Malformed header in a hostile mail: treat as absent, never crash the reaction.
        return ""
    return str(value) if value is not None else ""


def inbound_mail_headers(*, inbound_id: int) -> InboundMailHeaders | None:
    inbound = InboundMessage.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return None
    raw = read_raw(inbound)
    if raw is None:
        return None
    headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    addresses = [
        addr
        for _name, addr in getaddresses(
            [_safe_header(headers, "Reply-To") or _safe_header(headers, "From")]
        )
        if "@" in addr
    ]
    message_id = inbound.message_id or _safe_header(headers, "Message-ID").strip()
    references = tuple(_safe_header(headers, "References").split())
    mailbox_id = inbound.meta.get("mailbox_id") if isinstance(inbound.meta, dict) else None
    # Message.keys() keeps repeated header names, iterating the Message would too.
    pairs = [(name, _safe_header(headers, name)) for name in headers.keys()]  # noqa: SIM118
    return InboundMailHeaders(
        inbound_id=inbound.pk,
        mailbox_id=int(mailbox_id) if isinstance(mailbox_id, int) else None,
        reply_to=addresses[0].lower() if addresses else "",
        subject=" ".join(_safe_header(headers, "Subject").split()),
        message_id=message_id,
        references=references,
        header_pairs=tuple(pairs),
    )


def last_inbound_mail_of_case(*, case_id: int) -> InboundMailHeaders | None:
    """The customer's latest e-mail in this case (the one an answer replies to); a web-form
    submission is stored as an e-mail with the sender's address, so it is answered the same way."""
    refs = (
        Message.objects.filter(
            case_id=case_id,
            direction=Message.Direction.INBOUND,
            raw_ref__startswith=RAW_REF_PREFIX,
        )
        .filter(Q(channel__in=[Channel.EMAIL, Channel.WEB_FORM]) | Q(channel=""))
        .order_by("-created_at", "-id")
        .values_list("raw_ref", flat=True)
    )
    for raw_ref in refs[:5]:
        inbound_id = inbound_id_from_raw_ref(raw_ref)
        if inbound_id is None:
            continue
        found = inbound_mail_headers(inbound_id=inbound_id)
        if found is not None and found.reply_to:
            return found
    return None


def sending_mailbox(*, preferred_id: int | None) -> Mailbox | None:
    """The mailbox the mail came in through, else the default sender, else any active one."""
    usable = Mailbox.objects.filter(active=True).exclude(smtp_host="")
    if preferred_id is not None:
        preferred = usable.filter(pk=preferred_id).first()
        if preferred is not None:
            return preferred
    return usable.order_by("-is_default_outbound", "pk").first()


def customer_language(*, case: Case) -> str:
    if case.customer_id is not None and case.customer is not None:
        return str(case.customer.preferred_language or "de")
    return str(case.language or "de")


def any_sending_mailbox(kind: str = "") -> bool:
    """Guard for the reply reaction: without an SMTP mailbox there is nothing to do."""
    return Mailbox.objects.filter(active=True).exclude(smtp_host="").exists()


def any_acknowledging_mailbox(kind: str = "") -> bool:
    """Guard for the acknowledgement reaction."""
    return Mailbox.objects.filter(active=True, send_acknowledgement=True).exists()


def due_outbound_ids(*, limit: int = 100) -> list[int]:
    return list(
        OutboundMail.objects.filter(
            state=OutboundMail.State.QUEUED, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def active_mailbox_ids(*, idle_only: bool = False) -> list[int]:
    qs = Mailbox.objects.filter(active=True).exclude(imap_host="")
    if idle_only:
        qs = qs.filter(use_idle=True)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def mailbox_for_address(address: str) -> Mailbox | None:
    """The active mailbox an SMTP recipient address belongs to (case-insensitive)."""
    return Mailbox.objects.filter(active=True, email_address__iexact=address.strip()).first()
