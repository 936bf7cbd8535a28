"""Writes on cases. One transaction each; every change records an event with case and customer.

``by`` is the acting user (``None`` = the system, e.g. the intake pipeline or a periodic task;
access checks apply only to users). Time-dependent services take ``now`` so SLA maths can be
tested without patching the clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import nh3
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from kundenversteher.cases import sla
from kundenversteher.cases.access import (
    CUSTOMER_ROLE,
    ensure_assignable,
    ensure_can_assign,
    ensure_can_change_case,
    ensure_can_view_case,
    role_of,
)
from kundenversteher.cases.attachments import check_attachment
from kundenversteher.cases.errors import (
    CaseClosed,
    CaseError,
    CaseNotFound,
    ConcurrentUpdate,
    NotAllowed,
)
from kundenversteher.cases.models import (
    PRIORITY_ORDER,
    AgentProfile,
    Attachment,
    Case,
    CaseLink,
    Message,
    Priority,
    SLAAlert,
    Team,
    UnderstandingCorrection,
)
from kundenversteher.cases.numbering import allocate_case_number
from kundenversteher.cases.routing import route_locked
from kundenversteher.cases.states import (
    ACTIVE_STATUSES,
    Status,
    on_customer_reply,
    on_merge,
    transition,
)
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.customers.models import Customer
from kundenversteher.events.models import Event
from kundenversteher.events.services import record

Actor = AbstractBaseUser | AnonymousUser | None

_MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+)")
# Links in stored HTML may only point to the web, to mail addresses or to inline parts.
_URL_SCHEMES = {"http", "https", "mailto", "cid"}


def sanitize_html(html: str) -> str:
    """Strip scripts, event handlers and javascript: URLs before anything is stored."""
    if not html:
        return ""
    return nh3.clean(html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow")


# --- internal helpers (callers hold the transaction) -----------------------------------------


def _lock(case_id: int) -> Case:
    try:
        # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("team", "customer", "sla_policy__calendar", "assignee")
            .get(pk=case_id)
        )
    except Case.DoesNotExist as exc:
        raise CaseNotFound(_("Anliegen nicht gefunden.")) from exc


def _actor_kind(by: Actor) -> str:
    if by is None or not by.is_authenticated:
        return Event.ActorKind.SYSTEM
    return Event.ActorKind.CUSTOMER if role_of(by) == CUSTOMER_ROLE else Event.ActorKind.USER


def _record(kind: str, case: Case, *, by: Actor, data: dict[str, Any] | None = None) -> None:
    record(
        kind,
        actor=by,
        actor_kind=_actor_kind(by),
        channel=case.channel,
        case_id=case.pk,
        customer_id=case.customer_id,
        subject=case,
        data={"number": case.number, **(data or {})},
    )


def _display(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or user.get_username())


def _apply_status(case: Case, target: Status, *, now: datetime) -> None:
    """Move the case to ``target`` keeping SLA pause and resolved/closed stamps consistent."""
    old = Status(case.status)
    if old is target:
        return
    if old is Status.WAITING_CUSTOMER:
        sla.resume(case, now=now)
    if target is Status.WAITING_CUSTOMER:
        sla.pause(case, now=now)
    if target is Status.RESOLVED:
        case.resolved_at = now
    elif target is Status.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    else:
        case.resolved_at = None
    case.status = target.value


def _status_event_kind(old: Status, new: Status) -> str:
    if new is Status.RESOLVED:
        return "case.resolved"
    if new is Status.CLOSED:
        return "case.closed"
    if old in {Status.RESOLVED, Status.CLOSED}:
        return "case.reopened"
    return "case.status_changed"


def _change_status(case: Case, target: Status, *, by: Actor, now: datetime, reason: str) -> bool:
    old = Status(case.status)
    if old is target:
        return False
    _apply_status(case, target, now=now)
    _record(
        _status_event_kind(old, target),
        case,
        by=by,
        data={"from": old.value, "to": target.value, "reason": reason},
    )
    return True


def _store_message(
    case: Case,
    *,
    direction: str,
    channel: str,
    author: AbstractBaseUser | None,
    author_label: str,
    body_text: str,
    body_html: str,
    raw_ref: str,
    attachments: Sequence[AttachmentUpload],
    max_attachment_bytes: int | None,
    now: datetime,
    understanding: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
) -> Message:
    if attachments and max_attachment_bytes is None:
        # The entry point passes settings.KV_MAX_ATTACHMENT_BYTES; no silent default here.
        raise ValueError("max_attachment_bytes is required when attachments are given")
    limit = max_attachment_bytes or 0
    checked = [
        (
            upload,
            *check_attachment(filename=upload.filename, content=upload.content, max_bytes=limit),
        )
        for upload in attachments
    ]  # all checked before anything is written: one bad file refuses the whole message
    message = Message.objects.create(
        case=case,
        direction=direction,
        channel=channel or case.channel,
        author_id=author.pk if author is not None else None,
        author_label=author_label or _display(author),
        body_text=body_text,
        body_html=sanitize_html(body_html),
        raw_ref=raw_ref,
        understanding=dict(understanding or {}),
        identity=dict(identity or {}),
        created_at=now,
    )
    for upload, name, content_type, digest in checked:
        attachment = Attachment(
            message=message,
            original_filename=name,
            content_type=content_type,
            size=len(upload.content),
            sha256=digest,
        )
        # Random stored name; the original name is kept only as data.
        attachment.file.save(get_random_string(24), ContentFile(upload.content), save=False)
        attachment.save()
    _record(
        "case.message_added",
        case,
        by=author,
        data={
            "message_id": message.pk,
            "direction": direction,
            "channel": message.channel,
            "attachments": len(checked),
        },
    )
    return message


def _tier(case: Case) -> str:
    return str(case.customer.tier) if case.customer is not None else ""


def _ensure_not_closed(case: Case) -> None:
    # Closed cases are archived: reports on them never change. New concerns get a new case.
    if case.status == Status.CLOSED:
        raise CaseClosed(_("Anliegen %s ist geschlossen.") % case.number)


def _bump_priority(priority: str) -> str:
    index = PRIORITY_ORDER.index(priority)
    return PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]


def _follow_merges(case_id: int) -> int:
    """Messages for a merged-away case go to the case it was merged into."""
    seen = set()
    while case_id not in seen:
        seen.add(case_id)
        target = Case.objects.filter(pk=case_id).values_list("merged_into_id", flat=True).first()
        if target is None:
            break
        case_id = target
    return case_id


# --- services ------------------------------------------------------------------------------


def open_case(
    *,
    subject: str,
    channel: str,
    customer_id: int | None = None,
    language: str = "de",
    intent: str = "",
    intent_confidence: float | None = None,
    sentiment: str = "",
    urgency: str = "",
    priority: str = Priority.NORMAL,
    tags: Sequence[str] = (),
    body_text: str = "",
    body_html: str = "",
    author_label: str = "",
    raw_ref: str = "",
    attachments: Sequence[AttachmentUpload] = (),
    max_attachment_bytes: int | None = None,
    route: bool = True,
    by: Actor = None,
    now: datetime | None = None,
    understanding: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
) -> Case:
    """Open a case (with the customer's first message if given), apply SLA and route it."""
    with transaction.atomic():
        case, _message = _open_case(
            subject=subject,
            channel=channel,
            customer_id=customer_id,
            language=language,
            intent=intent,
            intent_confidence=intent_confidence,
            sentiment=sentiment,
            urgency=urgency,
            priority=priority,
            tags=tags,
            body_text=body_text,
            body_html=body_html,
            author_label=author_label,
            raw_ref=raw_ref,
            attachments=attachments,
            max_attachment_bytes=max_attachment_bytes,
            route=route,
            by=by,
            now=now or timezone.now(),
            understanding=understanding,
            identity=identity,
        )
    return case


def _open_case(
    *,
    subject: str,
    channel: str,
    customer_id: int | None,
    language: str,
    intent: str,
    intent_confidence: float | None,
    sentiment: str,
    urgency: str,
    priority: str,
    tags: Sequence[str],
    body_text: str,
    body_html: str,
    author_label: str,
    raw_ref: str,
    attachments: Sequence[AttachmentUpload],
    max_attachment_bytes: int | None,
    route: bool,
    by: Actor,
    now: datetime,
    understanding: Mapping[str, Any] | None,
    identity: Mapping[str, Any] | None,
) -> tuple[Case, Message | None]:
    """``open_case``'s work inside the caller's transaction; also returns the stored message."""
    portal_user = by if isinstance(by, AbstractBaseUser) and role_of(by) == CUSTOMER_ROLE else None
    if portal_user is not None:
        # Portal users open cases only for themselves, whatever id they send.
        own = (
            Customer.objects.filter(user_id=int(portal_user.pk))
            .values_list("pk", flat=True)
            .first()
        )
        if customer_id not in {None, own}:
            raise NotAllowed(_("Anliegen können nur für das eigene Kundenkonto angelegt werden."))
        customer_id = own
    customer = Customer.objects.get(pk=customer_id) if customer_id is not None else None
    case = Case(
        number=allocate_case_number(at=now),
        subject=subject.strip()[:300] or _("(ohne Betreff)"),
        status=Status.NEW.value,
        priority=Priority(priority),
        channel=channel,
        language=language,
        intent=intent,
        intent_confidence=intent_confidence,
        sentiment=sentiment,
        urgency=urgency,
        customer=customer,
        received_at=now,
        tags=list(dict.fromkeys(tags)),
    )
    specs: sla.SpecCache = {}
    sla.apply_policy(case, customer_tier=customer.tier if customer else "", now=now, specs=specs)
    case.save()
    _record(
        "case.created",
        case,
        by=by,
        data={"intent": intent, "priority": case.priority, "sla_policy_id": case.sla_policy_id},
    )
    message: Message | None = None
    if body_text or body_html or attachments:
        message = _store_message(
            case,
            direction=Message.Direction.INBOUND,
            channel=channel,
            author=portal_user,
            author_label=author_label,
            body_text=body_text,
            body_html=body_html,
            raw_ref=raw_ref,
            attachments=attachments,
            max_attachment_bytes=max_attachment_bytes,
            now=now,
            understanding=understanding,
            identity=identity,
        )
    if route:
        # The case was written in this transaction, so nobody else can hold it: routed in
        # place (no re-read, no lock query) with the text and calendars already at hand.
        route_locked(
            case, now=now, first_text=body_text if message is not None else "", specs=specs
        )
    return case, message


def add_message(
    *,
    case_id: int,
    direction: str,
    body_text: str,
    body_html: str = "",
    channel: str = "",
    by: Actor = None,
    author_label: str = "",
    raw_ref: str = "",
    attachments: Sequence[AttachmentUpload] = (),
    max_attachment_bytes: int | None = None,
    now: datetime | None = None,
    understanding: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
) -> Message:
    """Add a customer (inbound) or agent (outbound) message.

    Inbound reopens a waiting or resolved case and starts the next-response clock; the first
    outbound stamps ``first_responded_at``. A closed case refuses (intake opens a new one).
    """
    if direction not in {Message.Direction.INBOUND, Message.Direction.OUTBOUND}:
        raise CaseError(_("Interne Notizen bitte mit add_note anlegen."))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(_follow_merges(case_id))
        return _add_message_locked(
            case,
            direction=direction,
            body_text=body_text,
            body_html=body_html,
            channel=channel,
            by=by,
            author_label=author_label,
            raw_ref=raw_ref,
            attachments=attachments,
            max_attachment_bytes=max_attachment_bytes,
            now=now,
            understanding=understanding,
            identity=identity,
        )


def _add_message_locked(
    case: Case,
    *,
    direction: str,
    body_text: str,
    body_html: str,
    channel: str,
    by: Actor,
    author_label: str,
    raw_ref: str,
    attachments: Sequence[AttachmentUpload],
    max_attachment_bytes: int | None,
    now: datetime,
    understanding: Mapping[str, Any] | None,
    identity: Mapping[str, Any] | None,
) -> Message:
    """``add_message``'s work on a case the caller has locked in its transaction."""
    role = role_of(by) if by is not None else None
    if by is not None:
        if role == CUSTOMER_ROLE:
            ensure_can_view_case(by, case)
            direction = Message.Direction.INBOUND
        else:
            ensure_can_change_case(by, case)
    _ensure_not_closed(case)
    message = _store_message(
        case,
        direction=direction,
        channel=channel,
        author=by if isinstance(by, AbstractBaseUser) else None,
        author_label=author_label,
        body_text=body_text,
        body_html=body_html,
        raw_ref=raw_ref,
        attachments=attachments,
        max_attachment_bytes=max_attachment_bytes,
        now=now,
        understanding=understanding,
        identity=identity,
    )
    if direction == Message.Direction.INBOUND:
        _change_status(
            case, on_customer_reply(case.status), by=by, now=now, reason="customer_reply"
        )
        sla.customer_wrote(case, now=now)
    else:
        first = case.first_responded_at is None
        sla.agent_answered(case, now=now)
        if case.status == Status.NEW:
            _change_status(case, Status.OPEN, by=by, now=now, reason="agent_reply")
        if first:
            _record("case.first_response", case, by=by, data={"message_id": message.pk})
    case.version += 1
    case.save()
    return message


def file_inbound(
    *,
    case_id: int | None,
    subject: str,
    channel: str,
    body_text: str,
    body_html: str = "",
    customer_id: int | None = None,
    language: str = "de",
    intent: str = "",
    intent_confidence: float | None = None,
    sentiment: str = "",
    urgency: str = "",
    priority: str = Priority.NORMAL,
    author_label: str = "",
    raw_ref: str = "",
    attachments: Sequence[AttachmentUpload] = (),
    max_attachment_bytes: int | None = None,
    now: datetime | None = None,
    understanding: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
) -> Message:
    """The intake pipeline's one call: thread a customer message into its case or open one.

    ``case_id`` is the case the message refers to (reply headers, a case number in the text),
    or None. Mail to a merged-away case lands in the surviving case; mail to a closed case opens
    a follow-up case linked to the old one, because closed cases never change.
    """
    if not (body_text or body_html or attachments):
        raise CaseError(_("Leere Nachricht: nichts abzulegen."))
    now = now or timezone.now()
    # No savepoint inside a caller's transaction (the pipeline's, which marks the inbound row
    # done in the same commit): two statements less per message. A failure here fails the
    # caller's transaction as a whole, which is what the pipeline does with it anyway.
    with transaction.atomic(savepoint=False):
        previous: Case | None = None
        if case_id is not None:
            # Locked right away (one read instead of a look, then add_message's lock).
            try:
                target: Case | None = _lock(_follow_merges(case_id))
            except CaseNotFound:
                target = None
            if target is not None and target.status != Status.CLOSED:
                return _add_message_locked(
                    target,
                    direction=Message.Direction.INBOUND,
                    body_text=body_text,
                    body_html=body_html,
                    channel=channel,
                    by=None,
                    author_label=author_label,
                    raw_ref=raw_ref,
                    attachments=attachments,
                    max_attachment_bytes=max_attachment_bytes,
                    now=now,
                    understanding=understanding,
                    identity=identity,
                )
            previous = target
        case, message = _open_case(
            subject=subject,
            channel=channel,
            customer_id=customer_id
            if customer_id is not None
            else (previous.customer_id if previous is not None else None),
            language=language,
            intent=intent,
            intent_confidence=intent_confidence,
            sentiment=sentiment,
            urgency=urgency,
            priority=priority,
            body_text=body_text,
            body_html=body_html,
            author_label=author_label,
            raw_ref=raw_ref,
            attachments=attachments,
            max_attachment_bytes=max_attachment_bytes,
            tags=(),
            route=True,
            by=None,
            now=now,
            understanding=understanding,
            identity=identity,
        )
        if previous is not None:
            CaseLink.objects.create(from_case=case, to_case=previous, kind=CaseLink.Kind.RELATED)
            _record("case.follow_up_opened", previous, by=None, data={"new_case_id": case.pk})
        if message is None:  # pragma: no cover - the emptiness check above rules this out
            raise CaseError(_("Leere Nachricht: nichts abzulegen."))
        return message


def correct_understanding(
    *,
    case_id: int,
    field: str,
    value: str,
    by: AbstractBaseUser,
    message_id: int | None = None,
    now: datetime | None = None,
) -> UnderstandingCorrection:
    """An agent corrects intent, sentiment or urgency of a case: the case changes and the
    correction is kept (with the message text) as training data for the tenant's models."""
    if field not in UnderstandingCorrection.Field.values:
        raise CaseError(_("Unbekanntes Merkmal: %s") % field)
    value = value.strip()
    if not value:
        raise CaseError(_("Bitte einen Wert angeben."))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case_id)
        ensure_can_change_case(by, case)
        message = (
            case.messages.filter(pk=message_id).first()
            if message_id is not None
            else case.messages.filter(direction=Message.Direction.INBOUND).first()
        )
        if message_id is not None and message is None:
            raise CaseNotFound(_("Nachricht gehört nicht zu diesem Anliegen."))
        old = str(getattr(case, field))
        correction = UnderstandingCorrection.objects.create(
            case=case,
            message=message,
            field=field,
            old_value=old,
            new_value=value,
            language=case.language,
            text=message.body_text if message is not None else case.subject,
            by_id=by.pk,
            created_at=now,
        )
        setattr(case, field, value)
        if field == UnderstandingCorrection.Field.INTENT:
            case.intent_confidence = 1.0  # a person said so
        case.version += 1
        case.save()
        _record(
            "case.understanding_corrected",
            case,
            by=by,
            data={"field": field, "from": old, "to": value, "correction_id": correction.pk},
        )
    return correction


def add_note(
    *, case_id: int, body_text: str, by: AbstractBaseUser, now: datetime | None = None
) -> Message:
    """An internal note; ``@username`` mentions of active staff are linked and recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case_id)
        ensure_can_change_case(by, case)
        _ensure_not_closed(case)
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.NOTE,
            channel=case.channel,
            author_id=by.pk,
            author_label=_display(by),
            body_text=body_text,
            created_at=now,
        )
        names = set(_MENTION.findall(body_text))
        user_model = get_user_model()
        mentioned = (
            list(
                user_model.objects.filter(
                    username__in=names, is_active=True, agent_profile__isnull=False
                ).order_by("pk")
            )
            if names
            else []
        )
        message.mentions.set(mentioned)
        _record(
            "case.note_added",
            case,
            by=by,
            data={"message_id": message.pk, "mentioned_user_ids": [u.pk for u in mentioned]},
        )
        case.version += 1
        case.save(update_fields=["version", "updated_at"])
    return message


def change_status(
    *,
    case_id: int,
    status: str,
    by: Actor,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case_id)
        if by is not None:
            ensure_can_change_case(by, case)
        if expected_version is not None and case.version != expected_version:
            raise ConcurrentUpdate(
                _("Anliegen %s wurde zwischenzeitlich geändert; bitte neu laden.") % case.number
            )
        target = transition(case.status, status)
        _change_status(case, target, by=by, now=now, reason="manual")
        case.version += 1
        case.save()
    return case


def assign_case(
    *,
    case_id: int,
    agent_id: int | None,
    by: AbstractBaseUser,
    expected_version: int,
    now: datetime | None = None,
) -> Case:
    """Assign (or with ``agent_id=None`` release) a case.

    Two agents taking the same case at once both pass ``expected_version``; the conditional
    UPDATE lets exactly one win, the other gets :class:`ConcurrentUpdate` naming the winner.
    """
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case_id)
        ensure_can_assign(by, case, agent_id=agent_id)
        if agent_id is not None:
            ensure_assignable(case, agent_id=agent_id)
        previous = case.assignee_id
        updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
            assignee_id=agent_id, version=F("version") + 1, updated_at=now
        )
        if not updated:
            # Re-read: on PostgreSQL the joined assignee of a row we waited for can be stale.
            holder = Case.objects.select_related("assignee").get(pk=case.pk).assignee
            if holder is not None:
                raise ConcurrentUpdate(
                    _("Anliegen %(number)s wurde bereits von %(name)s übernommen.")
                    % {"number": case.number, "name": _display(holder)}
                )
            raise ConcurrentUpdate(
                _("Anliegen %s wurde zwischenzeitlich geändert; bitte neu laden.") % case.number
            )
        if agent_id is not None:
            AgentProfile.objects.filter(user_id=agent_id).update(last_assigned_at=now)
        case.refresh_from_db()
        _record(
            "case.assigned", case, by=by, data={"agent_id": agent_id, "previous_agent_id": previous}
        )
    return case


def set_priority(*, case_id: int, priority: str, by: Actor) -> Case:
    with transaction.atomic():
        case = _lock(case_id)
        if by is not None:
            ensure_can_change_case(by, case)
        _ensure_not_closed(case)
        new = Priority(priority)
        if case.priority != new:
            old = case.priority
            case.priority = new
            # A more urgent case may fall under a stricter policy (shorter due times).
            policy_changed = sla.reapply_policy(case, customer_tier=_tier(case))
            case.version += 1
            case.save()
            _record(
                "case.priority_changed",
                case,
                by=by,
                data={"from": old, "to": new.value, "sla_policy_changed": policy_changed},
            )
    return case


def tag_case(
    *, case_id: int, by: Actor, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> Case:
    with transaction.atomic():
        case = _lock(case_id)
        if by is not None:
            ensure_can_change_case(by, case)
        _ensure_not_closed(case)
        cleaned_add = [t.strip() for t in add if t.strip()]
        tags = [t for t in dict.fromkeys([*case.tags, *cleaned_add]) if t not in set(remove)]
        if tags != case.tags:
            case.tags = tags
            case.version += 1
            case.save(update_fields=["tags", "version", "updated_at"])
            _record(
                "case.tagged", case, by=by, data={"added": cleaned_add, "removed": list(remove)}
            )
    return case


def merge_cases(*, source_id: int, target_id: int, by: Actor, now: datetime | None = None) -> Case:
    """Move all messages of ``source`` to ``target``, close ``source`` as merged; return target."""
    if source_id == target_id:
        raise CaseError(_("Ein Anliegen kann nicht mit sich selbst zusammengeführt werden."))
    now = now or timezone.now()
    with transaction.atomic():
        # Lock in id order so two opposite merges cannot deadlock.
        locked = {pk: _lock(pk) for pk in sorted((source_id, target_id))}
        source, target = locked[source_id], locked[target_id]
        if by is not None:
            ensure_can_change_case(by, source)
            ensure_can_change_case(by, target)
        _ensure_not_closed(target)
        if source.customer_id and target.customer_id and source.customer_id != target.customer_id:
            raise CaseError(_("Anliegen verschiedener Kunden können nicht zusammengeführt werden."))
        moved = list(Message.objects.filter(case=source).values_list("pk", flat=True))
        Message.objects.filter(pk__in=moved).update(case=target)
        CaseLink.objects.get_or_create(
            from_case=source, to_case=target, kind=CaseLink.Kind.DUPLICATE
        )
        # Status set without the generic "case.closed" event: a merged duplicate was not
        # resolved, so reactions to closed cases (satisfaction surveys) must not fire for it.
        # The "case.merged" event below carries the status change instead.
        old_status = source.status
        _apply_status(source, on_merge(source.status), now=now)
        source.merged_into = target
        source.version += 1
        source.save()
        if target.customer_id is None and source.customer_id is not None:
            target.customer_id = source.customer_id
        target.tags = list(dict.fromkeys([*target.tags, *source.tags]))
        target.version += 1
        target.save()
        _record(
            "case.merged",
            source,
            by=by,
            data={
                "into_case_id": target.pk,
                "message_ids": moved,
                "from": old_status,
                "to": source.status,
            },
        )
        _record(
            "case.merge_received",
            target,
            by=by,
            data={"from_case_id": source.pk, "message_ids": moved},
        )
    return target


def split_case(
    *,
    case_id: int,
    message_ids: Sequence[int],
    subject: str,
    by: Actor,
    now: datetime | None = None,
) -> Case:
    """Move the selected messages into a new case linked to the old one (old = parent)."""
    now = now or timezone.now()
    with transaction.atomic():
        old = _lock(case_id)
        if by is not None:
            ensure_can_change_case(by, old)
        _ensure_not_closed(old)
        wanted = set(message_ids)
        own = set(Message.objects.filter(case=old).values_list("pk", flat=True))
        if not wanted or not wanted <= own:
            raise CaseError(_("Die gewählten Nachrichten gehören nicht zu diesem Anliegen."))
        if wanted == own:
            raise CaseError(_("Mindestens eine Nachricht muss im ursprünglichen Anliegen bleiben."))
        new = Case(
            number=allocate_case_number(at=now),
            subject=subject.strip()[:300] or old.subject,
            status=Status.OPEN.value,
            priority=old.priority,
            channel=old.channel,
            language=old.language,
            intent=old.intent,
            sentiment=old.sentiment,
            urgency=old.urgency,
            team=old.team,
            assignee=old.assignee,
            customer=old.customer,
            received_at=now,
            tags=list(old.tags),
        )
        sla.apply_policy(new, customer_tier=old.customer.tier if old.customer else "", now=now)
        new.save()
        Message.objects.filter(pk__in=wanted).update(case=new)
        CaseLink.objects.create(from_case=new, to_case=old, kind=CaseLink.Kind.PARENT)
        old.version += 1
        old.save(update_fields=["version", "updated_at"])
        ids = sorted(wanted)
        _record("case.created", new, by=by, data={"split_from_case_id": old.pk, "message_ids": ids})
        _record("case.split", old, by=by, data={"new_case_id": new.pk, "message_ids": ids})
    return new


def escalate_case(
    *,
    case_id: int,
    reason: str,
    by: Actor,
    team_id: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Raise the priority one step, stamp ``escalated_at`` and optionally hand to another team."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case_id)
        if by is not None:
            ensure_can_change_case(by, case)
        if case.status not in ACTIVE_STATUSES:
            raise CaseError(_("Nur offene Anliegen können eskaliert werden."))
        old_priority = case.priority
        case.priority = _bump_priority(case.priority)
        case.escalated_at = now
        if team_id is not None and team_id != case.team_id:
            case.team = Team.objects.get(pk=team_id)
            case.assignee = None  # the new team picks it up from its queue
        case.version += 1
        case.save()
        _record(
            "case.escalated",
            case,
            by=by,
            data={
                "reason": reason,
                "from_priority": old_priority,
                "to_priority": case.priority,
                "team_id": case.team_id,
            },
        )
    return case


@dataclass(frozen=True, slots=True)
class SLACheckResult:
    warnings: int
    breaches: int


_SLA_FIELDS = (
    "id",
    "status",
    "sla_paused_at",
    "resolved_at",
    "first_responded_at",
    "first_response_due",
    "next_response_due",
    "resolution_due",
)


def _pending_alerts(
    case: Case,
    *,
    now: datetime,
    horizon: datetime,
    sent: set[tuple[int, str, str, datetime]],
) -> list[tuple[sla.RunningClock, str]]:
    pending = []
    for clock in sla.running_clocks(case):
        if clock.due > horizon:
            continue
        kind = SLAAlert.Kind.BREACH if clock.due <= now else SLAAlert.Kind.WARNING
        if (case.pk, clock.clock, kind.value, clock.due) not in sent:
            pending.append((clock, kind.value))
    return pending


def check_sla_clocks(*, now: datetime | None = None, warning_minutes: int = 60) -> SLACheckResult:
    """Warn about clocks due within ``warning_minutes`` and mark breaches, each exactly once.

    Safe to run twice or in parallel: every alert is a unique ``SLAAlert`` row written under the
    case's row lock; only the run that creates it records the event and bumps the priority.
    """
    now = now or timezone.now()
    horizon = now + timedelta(minutes=warning_minutes)
    candidates = list(
        Case.objects.filter(status__in=list(ACTIVE_STATUSES), sla_paused_at__isnull=True)
        .filter(
            Q(first_response_due__lte=horizon, first_responded_at__isnull=True)
            | Q(next_response_due__lte=horizon)
            | Q(resolution_due__lte=horizon)
        )
        .only(*_SLA_FIELDS)
    )
    # Breached cases stay candidates run after run; skipping the ones whose alerts exist
    # without locking them keeps a run cheap (one query) when nothing is new.
    sent: set[tuple[int, str, str, datetime]] = set()
    for start in range(0, len(candidates), 500):
        chunk = [c.pk for c in candidates[start : start + 500]]
        sent.update(
            SLAAlert.objects.filter(case_id__in=chunk).values_list(
                "case_id", "clock", "kind", "due_at"
            )
        )
    warnings = breaches = 0
    for candidate in candidates:
        if not _pending_alerts(candidate, now=now, horizon=horizon, sent=sent):
            continue
        with transaction.atomic():
            case = _lock(candidate.pk)
            # Re-evaluated under the lock: the case may have changed since the scan.
            for clock, kind in _pending_alerts(case, now=now, horizon=horizon, sent=set()):
                _, created = SLAAlert.objects.get_or_create(
                    case=case, clock=clock.clock, kind=kind, due_at=clock.due
                )
                if not created:
                    continue
                data = {"clock": clock.clock, "due": clock.due.isoformat()}
                if kind == SLAAlert.Kind.BREACH:
                    breaches += 1
                    old = case.priority
                    case.priority = _bump_priority(case.priority)
                    case.version += 1
                    case.save(update_fields=["priority", "version", "updated_at"])
                    _record(
                        "case.sla_breached",
                        case,
                        by=None,
                        data={**data, "from_priority": old, "to_priority": case.priority},
                    )
                else:
                    warnings += 1
                    _record("case.sla_warning", case, by=None, data=data)
    return SLACheckResult(warnings=warnings, breaches=breaches)
