"""Outbound mail: build replies and acknowledgements, queue them, deliver them by SMTP.

Building and queuing happen in reaction tasks (after the case message or the intake run
committed); delivery is the ``send_outbound`` task. SMTP goes through Django's mail API with a
connection per mailbox — no protocol code of our own.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
from dataclasses import dataclass
from email.utils import formataddr, make_msgid

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string

from kundenversteher.cases.models import Attachment, Case, Message
from kundenversteher.intake.loop import classify_automatic
from kundenversteher.intake.mail import crypto, queries, services
from kundenversteher.intake.mail.models import Mailbox, OutboundMail, Security
from kundenversteher.knowledge.automation.queries import is_automatic_answer

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 30.0  # 30 s, 1 min, 2 min … about 1 h in total before FAILED
SMTP_TIMEOUT_SECONDS = 30

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Addresses that never get an automatic answer (RFC 3834 §2: do not reply to automatons).
_AUTOMATIC_SENDER = re.compile(
    r"(?i)^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?"
    r"|listserv|majordomo|notifications?|auto[-_.]?(?:reply|responder))([+@-]|$)"
)
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|antw|fwd?|wg)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_CASE_TAG = re.compile(r"\s*\[KV-\d{4}-\d{6}\]\s*")


@dataclass(frozen=True, slots=True)
class Queued:
    """Outcome of a reaction: the queued row id, or why nothing was queued."""

    outbound_id: int | None
    reason: str = ""


def is_automatic_address(address: str) -> bool:
    local = address.split("@", 1)[0]
    return bool(_AUTOMATIC_SENDER.match(local))


def base_subject(subject: str) -> str:
    """The customer's subject without Re:/AW:/Fwd: prefixes and without our case tag."""
    without_tag = _CASE_TAG.sub(" ", subject)
    return _REPLY_PREFIX.sub("", without_tag).strip()


def reply_subject(subject: str, *, number: str, language: str) -> str:
    base = base_subject(subject) or ("Ihr Anliegen" if language != "en" else "Your request")
    return f"Re: {base} [{number}]"


def acknowledgement_subject(subject: str, *, number: str, language: str) -> str:
    base = base_subject(subject)
    label = "Eingangsbestätigung" if language != "en" else "We have received your message"
    return f"{label}: {base} [{number}]" if base else f"{label} [{number}]"


def _template_language(language: str) -> str:
    return "en" if language == "en" else "de"


def _references(in_reply_to: str, references: tuple[str, ...]) -> str:
    chain = [r for r in references if r and r != in_reply_to]
    if in_reply_to:
        chain.append(in_reply_to)
    # RFC 5322 §3.6.4: keep the thread root and the most recent ids when the chain grows long.
    if len(chain) > 20:
        chain = [chain[0], *chain[-19:]]
    return " ".join(chain)


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def queue_reply(*, case_message_id: int) -> Queued:
    """Queue an agent's e-mail reply (a ``cases.Message`` outbound on channel email or web_form)."""
    message = (
        Message.objects.select_related("case", "case__customer").filter(pk=case_message_id).first()
    )
    if message is None:
        return Queued(None, "message not found")
    if message.direction != Message.Direction.OUTBOUND or message.channel not in {
        "email",
        "web_form",  # the contact form asks for the address answers go to
    }:
        return Queued(None, "not an outbound e-mail")
    case: Case = message.case
    inbound = queries.last_inbound_mail_of_case(case_id=case.pk)
    if inbound is None:
        return Queued(None, "no customer e-mail address in this case")
    mailbox = queries.sending_mailbox(preferred_id=inbound.mailbox_id)
    if mailbox is None:
        return Queued(None, "no mailbox with SMTP configured")
    language = _template_language(queries.customer_language(case=case))
    body = render_to_string(
        f"intake_mail/reply_{language}.txt",
        {"body": message.body_text.strip(), "number": case.number, "mailbox": mailbox},
    )
    headers = {
        "References": _references(inbound.message_id, inbound.references),
        # A human answer: deliberately no Auto-Submitted, so the customer's auto-responder
        # behaves as it would for any person's mail.
    }
    if is_automatic_answer(message_id=message.pk):
        # RFC 3834: an automatic answer says so, and other robots must not answer it.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    if inbound.message_id:
        headers["In-Reply-To"] = inbound.message_id
    mail, created = services.queue_outbound(
        kind=OutboundMail.Kind.REPLY,
        dedupe_key=f"reply:{message.pk}",
        mailbox_id=mailbox.pk,
        case_id=case.pk,
        message_id=make_msgid(domain=_domain(mailbox.email_address)),
        from_address=formataddr((mailbox.name, mailbox.email_address)),
        to_address=inbound.reply_to,
        subject=reply_subject(
            inbound.subject or case.subject, number=case.number, language=language
        ),
        body_text=body,
        headers={k: v for k, v in headers.items() if v},
        language=language,
    )
    return Queued(mail.pk, "" if created else "already queued")


def queue_acknowledgement(*, inbound_id: int, case_id: int, language: str) -> Queued:
    """Queue the "we have received your message" mail, if the mailbox wants one and it is safe.

    Loop protection: never to automatic senders (noreply, mailer-daemon …) and never to a mail
    whose headers mark it as automatic (checked again here, whatever the pipeline decided).
    """
    inbound = queries.inbound_mail_headers(inbound_id=inbound_id)
    if inbound is None or inbound.mailbox_id is None:
        return Queued(None, "not received through a mailbox")
    mailbox = Mailbox.objects.filter(
        pk=inbound.mailbox_id, active=True, send_acknowledgement=True
    ).first()
    if mailbox is None:
        return Queued(None, "mailbox sends no acknowledgements")
    dedupe_key = f"ack:{inbound_id}"
    auto_kind, _bounced = classify_automatic(inbound.header_pairs)
    if not inbound.reply_to or is_automatic_address(inbound.reply_to) or auto_kind:
        reason = f"loop protection: {auto_kind or inbound.reply_to or 'no address'}"
        services.skip_outbound(
            kind=OutboundMail.Kind.ACKNOWLEDGEMENT,
            dedupe_key=dedupe_key,
            mailbox_id=mailbox.pk,
            reason=reason,
        )
        return Queued(None, reason)
    if not mailbox.smtp_host:
        return Queued(None, "mailbox has no SMTP server")
    case = Case.objects.filter(pk=case_id).only("number", "subject").first()
    if case is None:
        return Queued(None, "case not found")
    language = _template_language(language)
    body = render_to_string(
        f"intake_mail/acknowledgement_{language}.txt",
        {"number": case.number, "mailbox": mailbox, "subject": base_subject(inbound.subject)},
    )
    headers = {
        "Auto-Submitted": "auto-replied",  # RFC 3834: other robots must not answer this
        "X-Auto-Response-Suppress": "All",  # Exchange: no out-of-office replies to it
        "References": _references(inbound.message_id, inbound.references),
    }
    if inbound.message_id:
        headers["In-Reply-To"] = inbound.message_id
    mail, created = services.queue_outbound(
        kind=OutboundMail.Kind.ACKNOWLEDGEMENT,
        dedupe_key=dedupe_key,
        mailbox_id=mailbox.pk,
        case_id=case_id,
        message_id=make_msgid(domain=_domain(mailbox.email_address)),
        from_address=formataddr((mailbox.name, mailbox.email_address)),
        to_address=inbound.reply_to,
        subject=acknowledgement_subject(inbound.subject, number=case.number, language=language),
        body_text=body,
        headers={k: v for k, v in headers.items() if v},
        language=language,
    )
    return Queued(mail.pk, "" if created else "already queued")


def smtp_connection(mailbox: Mailbox, *, timeout: int = SMTP_TIMEOUT_SECONDS) -> BaseEmailBackend:
    connection: BaseEmailBackend = get_connection(
        backend=SMTP_BACKEND,
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.smtp_username or None,
        password=crypto.decrypt(mailbox.smtp_password_encrypted) or None,
        use_tls=mailbox.smtp_security == Security.STARTTLS,
        use_ssl=mailbox.smtp_security == Security.SSL,
        timeout=timeout,
        fail_silently=False,
    )
    return connection


# Every SMTP failure goes back to the queue with backoff: server down, refused, timed out, 4xx
# and 5xx alike (a 5xx may be a misconfiguration the admin fixes); MAX_ATTEMPTS bounds it.
_SEND_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    socket.timeout,
    smtplib.SMTPException,
    crypto.CredentialError,
)


def _reply_attachments(mail: OutboundMail) -> list[tuple[str, bytes, str]]:
    """The files of the case message a reply carries (an automatic answer's invoice PDF, an
    agent's upload), read from the case's storage at sending time; the queue row stays small."""
    if mail.kind != OutboundMail.Kind.REPLY or not mail.dedupe_key.startswith("reply:"):
        return []
    message_id = mail.dedupe_key.removeprefix("reply:")
    if not message_id.isdigit():
        return []
    files: list[tuple[str, bytes, str]] = []
    for attachment in Attachment.objects.filter(message_id=int(message_id)).order_by("id"):
        with attachment.file.open("rb") as handle:
            files.append((attachment.original_filename, handle.read(), attachment.content_type))
    return files


def deliver(*, outbound_id: int) -> str:
    """Send one queued mail if it is due; returns the resulting state.

    Exactly one sender gets past ``claim_outbound``. SMTP trouble puts the row back into the
    queue with backoff (``send_due_outbound`` picks it up again); a permanent refusal (5xx)
    still retries a few times, then ends FAILED and visible in the admin.
    """
    if not services.claim_outbound(outbound_id=outbound_id):
        state = OutboundMail.objects.filter(pk=outbound_id).values_list("state", flat=True)
        return str(state.first() or "missing")
    mail = OutboundMail.objects.select_related("mailbox").get(pk=outbound_id)
    try:
        connection = smtp_connection(mail.mailbox)
        email = EmailMessage(
            subject=mail.subject,
            body=mail.body_text,
            from_email=mail.from_address,
            to=[mail.to_address],
            headers={"Message-ID": mail.message_id, **mail.headers},
            connection=connection,
        )
        for filename, content, content_type in _reply_attachments(mail):
            email.attach(filename, content, content_type)
        email.send(fail_silently=False)
    except _SEND_ERRORS as exc:
        failed = services.mark_attempt_failed(
            outbound_id=outbound_id,
            error=f"{type(exc).__name__}: {exc}",
            max_attempts=MAX_ATTEMPTS,
            base_delay_seconds=BASE_DELAY_SECONDS,
        )
        logger.warning("outbound mail %s attempt %d failed: %s", outbound_id, failed.attempts, exc)
        return str(failed.state)
    services.mark_sent(outbound_id=outbound_id)
    return OutboundMail.State.SENT


def test_smtp(mailbox: Mailbox) -> str:
    """Open and close an SMTP session with the mailbox's settings (login included)."""
    connection = smtp_connection(mailbox, timeout=15)
    try:
        connection.open()
    finally:
        connection.close()
    return f"SMTP {mailbox.smtp_host}:{mailbox.smtp_port} OK"
