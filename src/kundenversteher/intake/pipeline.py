"""The one inbound pipeline: parse → understand → identify → enrich → thread → file → route.

Every channel ends here (e-mail, web form and API as RFC 822 messages; letters and faxes as
scans). Each run claims its row with a conditional UPDATE and a fresh token; the case message is
created in the same transaction that marks the row done, guarded by that token, so a run that
lost its claim (worker killed, row taken over by the sweeper) can never file a second message.
Each step leaves an ``InboundStep`` row, failed attempts included.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kundenversteher.cases.attachments import check_attachment
from kundenversteher.cases.errors import AttachmentRejected, CaseError, ConcurrentUpdate
from kundenversteher.cases.models import Channel, Message, Priority
from kundenversteher.cases.queries import get_case_ref
from kundenversteher.cases.services import file_inbound
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.customers.identity import identify
from kundenversteher.customers.queries import find_contract, find_device, find_order
from kundenversteher.customers.types import IdentityMatch
from kundenversteher.events.services import record
from kundenversteher.intake import mime, ocr
from kundenversteher.intake.errors import NothingToFile, RawFileMissing
from kundenversteher.intake.models import InboundMessage, InboundState, InboundStep, MessageIdIndex
from kundenversteher.intake.queries import find_case_by_message_ids, raw_ref_for, read_raw
from kundenversteher.intake.types import ProcessOutcome
from kundenversteher.intake.understanding import analyse
from kundenversteher.intelligence.serialise import understanding_to_dict
from kundenversteher.intelligence.types import EntityKind, Understanding, UrgencyLevel
from kundenversteher.knowledge.automation.services import (
    PendingDecision,
    decide_for_inbound,
    record_decision,
)
from kundenversteher.knowledge.automation.types import Action, Decision, Reason
from kundenversteher.lib.tasks import PermanentTaskError

logger = logging.getLogger(__name__)

_CASE_NUMBER = re.compile(r"(?<![\w-])KV-(\d{4})-(\d{6})(?!\d)", re.IGNORECASE)
# Below this many characters a mail body is "empty-ish": a scanner's "Scan from MFP" mail.
_SCAN_MAIL_MAX_TEXT = 40
_NUMBER_KINDS = {
    EntityKind.CUSTOMER_NUMBER: "customer_number",
    EntityKind.CONTRACT_NUMBER: "contract_number",
    EntityKind.ORDER_NUMBER: "order_number",
    EntityKind.DEVICE_SERIAL: "device_serial",
}
_LANGUAGES = {"de", "en"}
_SCAN_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/tiff": ".tif",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """What the task entry point reads from settings and passes down."""

    max_attachment_bytes: int
    model_dir: Path
    max_attempts: int = 5
    # Test hook (process kill test only): sleep this long in the understand step.
    step_delay_seconds: float = 0.0


class _ClaimLostError(Exception):
    """Another run took the row over; this one must not write anything more."""


@dataclass(slots=True)
class _Content:
    """The channel-independent form of one inbound message."""

    subject: str = ""
    text: str = ""
    signature: str = ""  # kept apart from the text; its numbers still identify the sender
    html: str = ""
    from_address: str = ""
    reply_address: str = ""
    from_name: str = ""
    phone: str = ""
    postcode: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    case_number: str = ""
    auto_kind: str = ""
    bounced_message_id: str = ""
    attachments: list[AttachmentUpload] = field(default_factory=list)
    ocr_confidence: float | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # shown to the agent below the text


def normalise_message_id(value: str) -> str:
    """``<id@host>`` with whitespace removed; "" for nothing (same rule as ``services``)."""
    text = "".join(value.split())
    if not text:
        return ""
    if not text.startswith("<"):
        text = f"<{text}"
    if not text.endswith(">"):
        text = f"{text}>"
    return text[:500]


def index_message_id(*, message_id: str, case_id: int) -> None:
    """Message-ID → case; the first assignment wins (a Message-ID never moves)."""
    if not message_id:
        return
    # INSERT … ON CONFLICT DO NOTHING: one statement and no savepoint; an existing row (or a
    # concurrent writer's) keeps its case, so the first assignment wins.
    MessageIdIndex.objects.bulk_create(
        [MessageIdIndex(message_id=message_id, case_id=case_id)], ignore_conflicts=True
    )


# --- claiming and state changes (each one short transaction, guarded by the claim token) ------


def _claim(inbound_id: int) -> str | None:
    token = uuid.uuid4().hex
    claimed = InboundMessage.objects.filter(pk=inbound_id, state=InboundState.RECEIVED).update(
        state=InboundState.PROCESSING,
        claim_token=token,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return token if claimed else None


def _release_for_retry(inbound_id: int, token: str, error: str) -> None:
    InboundMessage.objects.filter(
        pk=inbound_id, state=InboundState.PROCESSING, claim_token=token
    ).update(state=InboundState.RECEIVED, claim_token="", claimed_at=None, last_error=error)


def _dead_letter(inbound: InboundMessage, token: str, error: str) -> None:
    with transaction.atomic():
        moved = InboundMessage.objects.filter(
            pk=inbound.pk, state=InboundState.PROCESSING, claim_token=token
        ).update(state=InboundState.FAILED, claim_token="", last_error=error)
        if moved:
            record(
                "intake.failed",
                channel=inbound.channel,
                subject=inbound,
                data={"inbound_id": inbound.pk, "attempts": inbound.attempts, "error": error[:500]},
            )


def release_stale(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Give up lost claims: rows ``processing`` since before the cutoff, or ``received`` and
    never picked up, go back to ``received`` without a token; the caller enqueues them again.

    A still-running old attempt loses its token and therefore can no longer file anything.
    """
    cutoff = (now or timezone.now()) - older_than
    stale = Q(state=InboundState.PROCESSING, claimed_at__lte=cutoff) | Q(
        state=InboundState.RECEIVED, received_at__lte=cutoff
    )
    with transaction.atomic():
        ids = list(InboundMessage.objects.filter(stale).values_list("id", flat=True))
        if ids:
            InboundMessage.objects.filter(Q(id__in=ids) & stale).update(
                state=InboundState.RECEIVED, claim_token="", claimed_at=None
            )
    return ids


@contextmanager
def _step(inbound: InboundMessage, name: str, steps: list[InboundStep]) -> Iterator[dict[str, Any]]:
    """Time one step and keep a row of its outcome (``detail["status"]`` may say skipped).

    The rows wait in ``steps`` until the run ends (``_run`` writes them in one INSERT, failed
    runs included): one statement per message instead of one committed INSERT per step.
    """
    started = time.perf_counter()
    detail: dict[str, Any] = {}
    try:
        yield detail
    except _ClaimLostError:
        detail["error"] = "claim lost: another run took this message over"
        _save_step(inbound, name, InboundStep.Status.SKIPPED, detail, started, steps)
        raise
    except Exception as exc:
        detail["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        _save_step(inbound, name, InboundStep.Status.FAILED, detail, started, steps)
        raise
    status = detail.pop("status", InboundStep.Status.OK)
    _save_step(inbound, name, status, detail, started, steps)


def _save_step(
    inbound: InboundMessage,
    name: str,
    status: str,
    detail: dict[str, Any],
    started: float,
    steps: list[InboundStep],
) -> None:
    steps.append(
        InboundStep(
            inbound=inbound,
            name=name,
            status=status,
            detail=detail,
            attempt=inbound.attempts,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
    )


# --- the steps ----------------------------------------------------------------------------------


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]


def _ocr_text(content: bytes, content_type: str) -> tuple[str, float | None, list[str]]:
    result = ocr.read_document(content, content_type=content_type)
    return result.text.strip(), result.confidence, list(result.problems)


def _problem_note(problem: str) -> str:
    """A parsing/OCR problem as a line the agent sees below the customer's text."""
    return _("[Hinweis der Eingangsverarbeitung: %(problem)s]") % {"problem": problem}


def _parse_mail(raw: bytes, inbound: InboundMessage, config: PipelineConfig) -> _Content:
    parsed = mime.parse_message(raw, max_attachment_bytes=config.max_attachment_bytes)
    meta = inbound.meta or {}
    content = _Content(
        subject=parsed.subject,
        text=(parsed.text or parsed.full_text).strip(),
        signature=parsed.signature.strip(),
        html=parsed.html,
        from_address=parsed.from_address,
        reply_address=parsed.reply_to or parsed.from_address,
        from_name=parsed.from_name or str(meta.get("name", "")),
        phone=str(meta.get("phone", "")),
        postcode=str(meta.get("postcode", "")),
        message_id=normalise_message_id(parsed.message_id),
        in_reply_to=normalise_message_id(parsed.in_reply_to),
        references=[normalise_message_id(r) for r in parsed.references],
        case_number=parsed.case_number,
        auto_kind=parsed.auto_kind,
        bounced_message_id=normalise_message_id(parsed.bounced_message_id),
        problems=list(parsed.problems),
        notes=[
            _("[Anhang „%(name)s“ nicht übernommen: %(reason)s]")
            % {"name": skipped.name, "reason": skipped.reason}
            for skipped in parsed.skipped_attachments
        ]
        + [_problem_note(problem) for problem in parsed.problems],
    )
    for part in parsed.attachments:
        if part.inline and part.content_type.startswith("image/"):
            continue  # logos and signature images shown inside the HTML
        content.attachments.append(
            AttachmentUpload(part.filename, part.content, declared_content_type=part.content_type)
        )
    if len(content.text) < _SCAN_MAIL_MAX_TEXT and not content.auto_kind:
        # Scan-to-mail: the text is in the attached scans.
        confidences: list[float] = []
        for upload in content.attachments:
            if not ocr.is_document(upload.declared_content_type):
                continue
            text, confidence, problems = _ocr_text(upload.content, upload.declared_content_type)
            content.problems.extend(problems)
            content.notes.extend(_problem_note(problem) for problem in problems)
            if text:
                label = _("[Texterkennung (OCR) aus „%(name)s“]") % {"name": upload.filename}
                content.text = f"{content.text}\n\n{label}\n{text}".strip()
            if confidence is not None:
                confidences.append(confidence)
        content.ocr_confidence = min(confidences) if confidences else None
    return content


def _parse_scan(raw: bytes, inbound: InboundMessage) -> _Content:
    meta = inbound.meta or {}
    text, confidence, problems = _ocr_text(raw, inbound.content_type)
    base_type = inbound.content_type.split(";")[0].strip().lower()
    filename = inbound.filename or f"scan{_SCAN_EXTENSIONS.get(base_type, '.pdf')}"
    label = _("Fax") if inbound.channel == Channel.FAX else _("Brief")
    return _Content(
        subject=str(meta.get("subject", "")) or f"{label}: {filename}",
        text=text,
        from_address=str(meta.get("email", "")),
        from_name=str(meta.get("name", "")),
        phone=str(meta.get("phone", "")),
        postcode=str(meta.get("postcode", "")),
        attachments=[AttachmentUpload(filename, raw, declared_content_type=base_type)],
        ocr_confidence=confidence,
        problems=problems,
        notes=[_problem_note(problem) for problem in problems],
    )


def _identify(content: _Content, understanding: Understanding) -> IdentityMatch | None:
    numbers: dict[str, list[str]] = {}
    for entity in understanding.entities:
        if (kind := _NUMBER_KINDS.get(entity.kind)) is not None:
            numbers.setdefault(kind, []).append(entity.value)
    postcode = content.postcode or next(
        (e.value for e in understanding.entities_of(EntityKind.POSTCODE)), ""
    )
    # A phone number counts only from the sender's own signature: one in the text may well be
    # the installer's or a neighbour's.
    phone = content.phone or next(
        (
            e.value
            for e in understanding.entities_of(EntityKind.PHONE)
            if content.signature and e.text in content.signature
        ),
        "",
    )
    return identify(
        email=content.from_address or None,
        phone=phone or None,
        numbers=numbers,
        name=content.from_name or None,
        postcode=postcode or None,
    )


def _enrich(understanding: Understanding, customer_id: int | None) -> dict[str, Any]:
    """Orders, contracts and devices mentioned in the text, only the identified customer's own.

    Without an identified customer nothing is looked up: a guessed number must never show
    another customer's data to the agent answering this sender.
    """
    if customer_id is None:
        return {}
    found: dict[str, list[dict[str, Any]]] = {"orders": [], "contracts": [], "devices": []}
    for entity in understanding.entities_of(EntityKind.ORDER_NUMBER):
        order = find_order(entity.value)
        if order is not None and order.customer_id == customer_id:
            found["orders"].append(
                {
                    "number": order.number,
                    "status": order.status,
                    "status_label": order.status_label,
                    "promised_date": order.promised_date.isoformat()
                    if order.promised_date
                    else None,
                    "shipped_at": order.shipped_at.isoformat() if order.shipped_at else None,
                    "carrier": order.carrier,
                    "tracking_number": order.tracking_number,
                }
            )
    for entity in understanding.entities_of(EntityKind.CONTRACT_NUMBER):
        contract = find_contract(entity.value)
        if contract is not None and contract.customer_id == customer_id:
            found["contracts"].append(
                {
                    "number": contract.number,
                    "type_label": contract.type_label,
                    "status": contract.status,
                    "status_label": contract.status_label,
                    "end": contract.end.isoformat() if contract.end else None,
                    "notice_deadline": contract.notice_deadline.isoformat()
                    if contract.notice_deadline
                    else None,
                }
            )
    for entity in understanding.entities_of(EntityKind.DEVICE_SERIAL):
        device = find_device(entity.value)
        if device is not None and device.customer_id == customer_id:
            found["devices"].append(
                {
                    "serial": device.serial,
                    "model_name": device.model_name,
                    "status": device.status,
                    "status_label": device.status_label,
                    "warranty_until": device.warranty_until.isoformat()
                    if device.warranty_until
                    else None,
                }
            )
    return {kind: items for kind, items in found.items() if items}


def _thread(content: _Content, customer_id: int | None) -> tuple[int | None, str]:
    """The case this message continues: reply headers first, then a case number in the subject.

    A case number is only followed when the case has no customer, the sender is unknown, or
    sender and case belong to the same customer: typing someone else's case number into a
    subject must not put a message into their case.
    """
    by_header = find_case_by_message_ids([content.in_reply_to, *reversed(content.references)])
    if by_header is not None:
        return by_header, "message_id"
    numbers = [content.case_number] if content.case_number else []
    numbers += [f"KV-{m.group(1)}-{m.group(2)}" for m in _CASE_NUMBER.finditer(content.subject)]
    for number in numbers:
        ref = get_case_ref(number=number)
        if ref is None:
            continue
        if ref.customer_id is None or customer_id is None or ref.customer_id == customer_id:
            return ref.id, "case_number"
    return None, ""


def _checked_attachments(
    content: _Content, max_bytes: int
) -> tuple[list[AttachmentUpload], list[str]]:
    """Drop refused attachments (executables, too large) instead of refusing the whole message."""
    kept: list[AttachmentUpload] = []
    notes: list[str] = []
    for upload in content.attachments:
        try:
            check_attachment(filename=upload.filename, content=upload.content, max_bytes=max_bytes)
        except AttachmentRejected as exc:
            notes.append(
                _("[Anhang „%(name)s“ nicht übernommen: %(reason)s]")
                % {"name": upload.filename, "reason": exc}
            )
        else:
            kept.append(upload)
    return kept, notes


def _decide(
    *,
    understanding: Understanding,
    customer_id: int | None,
    identified_by: str,
    case_id: int | None,
    channel: str,
    language: str,
    stored: dict[str, Any],
) -> PendingDecision:
    """Auto-answer, suggest or route (``knowledge.automation``). Automation must never stop a
    message from reaching a person: an error in it routes the message, with the error named."""
    try:
        return decide_for_inbound(
            understanding=understanding,
            customer_id=customer_id,
            identified_by=identified_by,
            case_id=case_id,
            channel=channel,
            language=language,
            understanding_data=stored,
        )
    except Exception as exc:
        logger.exception("automation decision failed; the message is routed to a person")
        return PendingDecision(
            decision=Decision(
                action=Action.ROUTE,
                intent=understanding.intent.intent,
                confidence=understanding.intent.probability,
                threshold=None,
                reasons=(
                    Reason(
                        "automation_error",
                        f"Automatik-Fehler: {type(exc).__name__}",
                        f"Automation error: {type(exc).__name__}",
                    ),
                ),
                required_entities_ok=False,
                shadow=False,
            ),
            channel=channel,
            standard=False,
            new_case=case_id is None,
        )


def _priority(understanding: Understanding) -> str:
    level = understanding.urgency.level
    if level is UrgencyLevel.CRITICAL:
        return Priority.URGENT
    if level is UrgencyLevel.HIGH:
        return Priority.HIGH
    return Priority.NORMAL


# --- the run ------------------------------------------------------------------------------------


def process(inbound_id: int, *, config: PipelineConfig) -> ProcessOutcome:
    """Process one stored inbound message. Safe to call any number of times.

    Retryable failures put the row back to ``received`` and re-raise (the task retries with
    backoff); after ``config.max_attempts`` claims, or for input no retry can fix, the row
    becomes a dead letter (``failed``) and ``PermanentTaskError`` is raised.
    """
    token = _claim(inbound_id)
    if token is None:
        state = InboundMessage.objects.filter(pk=inbound_id).values_list("state", flat=True).first()
        if state is None:
            raise PermanentTaskError(f"inbound message {inbound_id} does not exist")
        # Done or ignored (nothing left to do), failed (waits for a manual retry) or processing
        # under another run's claim (the sweeper takes it over if that run is lost).
        return ProcessOutcome(state=str(state))
    inbound = InboundMessage.objects.get(pk=inbound_id)
    try:
        return _run(inbound, token, config)
    except _ClaimLostError:
        state = InboundMessage.objects.filter(pk=inbound_id).values_list("state", flat=True).get()
        return ProcessOutcome(state=str(state))
    except (NothingToFile, RawFileMissing) as exc:
        error = f"{type(exc).__name__}: {exc}"
        _dead_letter(inbound, token, error)
        raise PermanentTaskError(error) from exc
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:4000]
        if inbound.attempts >= config.max_attempts:
            _dead_letter(inbound, token, error)
            raise PermanentTaskError(error) from exc
        _release_for_retry(inbound.pk, token, error)
        raise


def _run(inbound: InboundMessage, token: str, config: PipelineConfig) -> ProcessOutcome:
    steps: list[InboundStep] = []
    try:
        return _run_steps(inbound, token, config, steps)
    finally:
        # Outside the filing transaction, like the single rows were: a rolled-back filing
        # keeps the record of its failed step.
        InboundStep.objects.bulk_create(steps)


def _run_steps(
    inbound: InboundMessage, token: str, config: PipelineConfig, steps: list[InboundStep]
) -> ProcessOutcome:
    raw = read_raw(inbound)
    if raw is None:
        raise RawFileMissing(_("Die Originaldatei fehlt: %(path)s") % {"path": inbound.raw_path})

    with _step(inbound, "parse", steps) as detail:
        if inbound.content_type.split(";")[0].strip().lower() == "message/rfc822":
            content = _parse_mail(raw, inbound, config)
        else:
            content = _parse_scan(raw, inbound)
        detail.update(
            {
                "attachments": len(content.attachments),
                "automatic": content.auto_kind,
                "ocr_confidence": content.ocr_confidence,
                "problems": content.problems,
            }
        )

    if content.auto_kind:
        return _link_automatic(inbound, token, content, steps)
    if not content.text and not content.attachments:
        raise NothingToFile(_("Die Nachricht enthält weder Text noch Anhänge."))

    with _step(inbound, "understand", steps) as detail:
        if config.step_delay_seconds:
            time.sleep(config.step_delay_seconds)
        understanding = analyse(
            text=f"{content.text}\n\n{content.signature}".strip(),
            subject=content.subject,
            channel=inbound.channel,
            model_dir=config.model_dir,
        )
        detail.update(
            {
                "language": understanding.language.code,
                "intent": understanding.intent.intent,
                "confidence": round(understanding.intent.probability, 3),
                "urgency": understanding.urgency.level.value,
            }
        )

    with _step(inbound, "identify", steps) as detail:
        match = _identify(content, understanding)
        customer_id = match.customer_id if match is not None else None
        # No match is stored too, with its reason: the agent sees that we looked and found no one.
        identity: dict[str, Any] = {
            "method": "",
            "confidence": 0.0,
            "reason": _(
                "Kein Kunde gefunden: weder Absenderadresse, Telefonnummer noch eine genannte "
                "Nummer ist hinterlegt."
            ),
            "customer_id": None,
            "candidates": [],
        }
        if match is not None:
            identity = {
                "method": match.method.value,
                "confidence": match.confidence,
                "reason": match.reason,
                "customer_id": match.customer_id,
                "candidates": list(match.candidates),
            }
            detail.update({"method": match.method.value, "customer_id": customer_id})
        else:
            detail["status"] = InboundStep.Status.SKIPPED

    with _step(inbound, "enrich", steps) as detail:
        enrichment = _enrich(understanding, customer_id)
        detail.update({kind: len(items) for kind, items in enrichment.items()})
        if not enrichment:
            detail["status"] = InboundStep.Status.SKIPPED

    with _step(inbound, "thread", steps) as detail:
        case_id, how = _thread(content, customer_id)
        detail.update({"case_id": case_id, "by": how})

    stored = understanding_to_dict(understanding)
    if enrichment:
        stored["enrichment"] = enrichment
    language = understanding.language.code
    with _step(inbound, "decide", steps) as detail:
        pending = _decide(
            understanding=understanding,
            customer_id=customer_id,
            identified_by=str(identity["method"]),
            case_id=case_id,
            channel=inbound.channel,
            language=language if language in _LANGUAGES else "de",
            stored=stored,
        )
        detail.update(
            {
                "action": pending.action.value,
                "shadow": pending.decision.shadow,
                "reasons": [reason.code for reason in pending.decision.reasons],
            }
        )

    with _step(inbound, "file", steps) as detail:
        attachments, notes = _checked_attachments(content, config.max_attachment_bytes)
        body_text = "\n\n".join([content.text, *content.notes, *notes]).strip()
        now = timezone.now()
        with transaction.atomic():
            # First statement of the transaction: takes the row's write lock, so of two runs
            # racing here the second waits, then finds the token gone and files nothing.
            if not InboundMessage.objects.filter(
                pk=inbound.pk, state=InboundState.PROCESSING, claim_token=token
            ).update(state=InboundState.DONE, processed_at=now, claim_token="", last_error=""):
                raise _ClaimLostError
            try:
                message = file_inbound(
                    case_id=case_id,
                    subject=content.subject[:255] or _("(ohne Betreff)"),
                    channel=inbound.channel,
                    body_text=body_text,
                    body_html=content.html,
                    customer_id=customer_id,
                    language=language if language in _LANGUAGES else "de",
                    # "unknown" means no intent model is loaded: leave the field empty.
                    intent=""
                    if understanding.intent.intent == "unknown"
                    else understanding.intent.intent,
                    intent_confidence=understanding.intent.probability,
                    sentiment=understanding.sentiment.label.value,
                    urgency=understanding.urgency.level.value,
                    priority=_priority(understanding),
                    author_label=content.from_name or content.from_address,
                    raw_ref=raw_ref_for(inbound.pk),
                    attachments=attachments,
                    max_attachment_bytes=config.max_attachment_bytes,
                    now=now,
                    understanding=stored,
                    identity=identity,
                )
            except ConcurrentUpdate:
                raise  # another writer held the case: a retry will succeed
            except CaseError as exc:
                # Refused for a reason a retry cannot change (empty, attachments refused).
                raise NothingToFile(str(exc)) from exc
            # Without a case to thread into, file_inbound always opens one for this message.
            new_case = (
                case_id is None
                or not Message.objects.filter(case_id=message.case_id)
                .exclude(pk=message.pk)
                .exists()
            )
            InboundMessage.objects.filter(pk=inbound.pk).update(
                case_id=message.case_id,
                case_message_id=message.pk,
                customer_id=customer_id,
                ocr_confidence=content.ocr_confidence,
            )
            index_message_id(message_id=content.message_id, case_id=message.case_id)
            case_customer = message.case.customer_id  # the case file_inbound wrote or locked
            decision = record_decision(
                case_id=message.case_id,
                message_id=message.pk,
                pending=pending,
                customer_id=case_customer,
                now=now,
            )
            data: dict[str, Any] = {
                "inbound_id": inbound.pk,
                "message_id": message.pk,
                "new_case": new_case,
                "automatic": "",
                "language": language,
                # The acknowledgement is pointless when the answer itself goes out.
                "automation": pending.action.value,
                "automation_sends": pending.decision.sends,
                "automation_decision_id": decision.pk,
            }
            if content.reply_address:
                data["to_address"] = content.reply_address
            record(
                "intake.processed",
                channel=inbound.channel,
                case_id=message.case_id,
                customer_id=case_customer,
                subject=inbound,
                data=data,
            )
        detail.update({"case_id": message.case_id, "message_id": message.pk, "new_case": new_case})
    return ProcessOutcome(
        state=InboundState.DONE, case_id=message.case_id, message_id=message.pk, new_case=new_case
    )


def _link_automatic(
    inbound: InboundMessage, token: str, content: _Content, steps: list[InboundStep]
) -> ProcessOutcome:
    """Auto-replies and bounces: linked to the case they refer to, never filed as a customer
    message (an out-of-office note must not reopen a case waiting for the customer) and never
    acknowledged. With no case to link, the row ends ``ignored`` (visible in the admin)."""
    with _step(inbound, "link_automatic", steps) as detail:
        candidates = (
            [content.bounced_message_id]
            if content.bounced_message_id
            else [content.in_reply_to, *reversed(content.references)]
        )
        case_id = find_case_by_message_ids(candidates)
        state = InboundState.DONE if case_id is not None else InboundState.IGNORED
        with transaction.atomic():
            if not InboundMessage.objects.filter(
                pk=inbound.pk, state=InboundState.PROCESSING, claim_token=token
            ).update(
                state=state,
                processed_at=timezone.now(),
                claim_token="",
                last_error="",
                automatic=content.auto_kind,
                case_id=case_id,
            ):
                raise _ClaimLostError
            record(
                "intake.processed" if case_id is not None else "intake.ignored",
                channel=inbound.channel,
                case_id=case_id,
                subject=inbound,
                data={
                    "inbound_id": inbound.pk,
                    "message_id": None,
                    "new_case": False,
                    "automatic": content.auto_kind,
                    "language": "",
                },
            )
        detail.update({"case_id": case_id, "automatic": content.auto_kind})
    return ProcessOutcome(state=state, case_id=case_id)
