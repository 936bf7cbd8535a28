"""Writes of the automation app: decisions, the automatic answer, the customer's verdict, switches.

Flow: the intake pipeline calls ``decide_for_inbound`` (reads only) before it files the message
and ``record_decision`` inside its filing transaction. ``automation.decided`` makes the sending
reaction run ``send_auto_answer`` after commit, which composes again with fresh data, adds the
outbound message (the existing mail reaction sends it) and resolves the case. A customer reply
to an automatic answer goes through ``review_customer_reply``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kundenversteher.cases import services as case_services
from kundenversteher.cases.errors import CaseError
from kundenversteher.cases.models import Case, Message, Priority
from kundenversteher.cases.states import ACTIVE_STATUSES, Status
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.events.services import record
from kundenversteher.intelligence.types import Understanding
from kundenversteher.knowledge import answers
from kundenversteher.knowledge.answers import services as answer_services
from kundenversteher.knowledge.automation import policy, queries
from kundenversteher.knowledge.automation.errors import InvalidFeedbackLinkError
from kundenversteher.knowledge.automation.models import (
    AutomationDecision,
    AutomationSettings,
    IntentAutomation,
)
from kundenversteher.knowledge.automation.types import (
    Action,
    AutomationPolicy,
    CaseFacts,
    CustomerRef,
    Decision,
    Mode,
    Outcome,
    Reason,
)
from kundenversteher.privacy.audit import audit_instance, diff, snapshot

AUTHOR_LABEL = "Automatische Antwort"
FEEDBACK_SALT = "kundenversteher.automation.not_helped"
FEEDBACK_URL_NAME = "portal:not_helped"
_FEEDBACK_LINE = {
    "de": "Hat diese Antwort nicht geholfen? Ein Klick genügt: {url}",
    "en": "Did this answer not help? One click is enough: {url}",
}
NOT_HELPED_TAG = "automatik-nicht-geholfen"

# The customer says the automatic answer did not help (DE and EN, as customers write it).
_NOT_HELPED = re.compile(
    r"(?i)\b(?:(?:hat|hatte|hilft|half)\s+(?:mir\s+)?(?:leider\s+)?(?:überhaupt\s+|gar\s+)?"
    r"nicht(?:s)?\s*(?:weiter)?(?:ge)?(?:holfen)?"
    r"|nicht\s+(?:weiter)?geholfen|nicht\s+hilfreich|keine\s+hilfe|bringt\s+mir\s+nichts"
    r"|did\s*n[o']?t\s+help|does\s*n[o']?t\s+help|not\s+helpful|no\s+help|useless)"
)
# A reply that is nothing but thanks does not reopen an answered case.
_THANKS_ONLY = re.compile(
    r"(?i)^\W*(?:(?:vielen|herzlichen|besten|lieben|tausend)\s+)?"
    r"(?:dank(?:e(?:schön| schön)?)?|thanks?|thank\s+you|merci)"
    r"(?:\s+(?:sehr|vielmals|schön|much|a\s+lot|so\s+much|auch|nochmals|again"
    r"|für\s+(?:die|ihre)\s+(?:schnelle\s+)?(?:antwort|info(?:rmation)?|hilfe|rückmeldung)"
    r"|for\s+(?:the|your)\s+(?:quick\s+)?(?:answer|reply|info|help)))*[\s!.,:;)(-]*$"
)
# Where the closing of a mail starts; what follows (greeting, name) is not content.
_CLOSING = re.compile(
    r"(?im)^\s*(?:(?:mit\s+)?(?:freundlichen|besten|vielen|viele|liebe|herzliche|schöne)\s+)?"
    r"(?:grüßen?|grüße|gruß|gruss|grüsse|regards|best\s+regards|kind\s+regards|cheers|lg|mfg)\b"
)


class ComposedLike(Protocol):
    """What ``answers.compose`` returns (``ComposedAnswer``), as far as automation uses it."""

    @property
    def ok(self) -> bool: ...
    @property
    def template_id(self) -> int | None: ...
    @property
    def subject(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def attachments(self) -> Sequence[Any]: ...
    @property
    def missing(self) -> Sequence[str]: ...
    @property
    def reason(self) -> str: ...


Composer = Callable[..., ComposedLike]


def _default_composer(**kwargs: Any) -> ComposedLike:
    result: ComposedLike = answers.compose(**kwargs)
    return result


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """A decision before it is stored (the pipeline stores it in its filing transaction)."""

    decision: Decision
    channel: str
    standard: bool
    new_case: bool = True
    draft_subject: str = ""
    draft_body: str = ""
    template_id: int | None = None

    @property
    def action(self) -> Action:
        return self.decision.action


def _compose_failed(reason: str, missing: Sequence[str]) -> Reason:
    detail = reason or ", ".join(missing) or "–"
    return Reason(
        "answer_incomplete",
        f"Antwort nicht vollständig: {detail}",
        f"Answer incomplete: {', '.join(missing) or detail}",
    )


def decide_for_inbound(
    *,
    understanding: Understanding,
    customer_id: int | None,
    identified_by: str = "",
    case_id: int | None,
    channel: str,
    language: str,
    understanding_data: Mapping[str, Any] | None = None,
    composer: Composer | None = None,
    automation_policy: AutomationPolicy | None = None,
    now: datetime | None = None,
) -> PendingDecision:
    """Gather the facts → ``policy.decide`` → compose the answer where one may be given.

    Reads only. A candidate whose answer cannot be filled (unknown order, another customer's
    order, a slot without data) is routed with the answers app's reason, because the agent must
    look into it; the draft is kept wherever composing worked.
    """
    compose = composer or _default_composer
    intent = understanding.intent.intent
    settings = automation_policy or queries.load_policy(intent=intent)
    standard = intent in settings.automatable_intents
    customer: CustomerRef | None
    if standard:
        customer = queries.customer_ref(customer_id=customer_id, identified_by=identified_by)
        facts = queries.case_facts(
            case_id=case_id, customer_id=customer_id, intent=intent, channel=channel, now=now
        )
    else:
        # Without a template the message is routed whatever the facts say: spare the reads
        # (intake's query budget); signals from the text itself are still listed as reasons.
        customer = (
            CustomerRef(id=customer_id, tier="", identified_by=identified_by)
            if customer_id is not None
            else None
        )
        facts = CaseFacts(case_id=case_id, is_new=case_id is None, channel=channel)
    decision = policy.decide(understanding, customer, facts, settings=settings)
    pending = PendingDecision(
        decision=decision, channel=channel, standard=standard, new_case=facts.is_new
    )
    if decision.action is Action.ROUTE:
        return pending
    composed = compose(
        intent=intent,
        language=language,
        customer_id=customer_id,
        understanding=understanding_data,
        case_id=case_id,
        now=now,
    )
    if not composed.ok:
        return replace(
            pending,
            decision=decision.with_action(
                Action.ROUTE, _compose_failed(composed.reason, composed.missing)
            ),
        )
    return replace(
        pending,
        draft_subject=composed.subject[:300],
        draft_body=composed.body,
        template_id=composed.template_id,
    )


def record_decision(
    *,
    case_id: int,
    message_id: int | None,
    pending: PendingDecision,
    customer_id: int | None = None,
    now: datetime | None = None,
) -> AutomationDecision:
    """Store the decision and record ``automation.decided`` (in the caller's transaction).

    ``customer_id`` is the case's customer (for the event; the pipeline knows it)."""
    decision = pending.decision
    # No savepoint inside the pipeline's filing transaction (its query budget); a failure fails
    # that transaction as a whole, which the pipeline retries.
    with transaction.atomic(savepoint=False):
        row = AutomationDecision.objects.create(
            case_id=case_id,
            message_id=message_id,
            action=decision.action.value,
            shadow=decision.shadow,
            intent=decision.intent,
            channel=pending.channel,
            confidence=decision.confidence,
            threshold=decision.threshold,
            standard=pending.standard,
            new_case=pending.new_case,
            reasons=decision.reasons_json(),
            draft_subject=pending.draft_subject,
            draft_body=pending.draft_body,
            template_id=pending.template_id,
            created_at=now or timezone.now(),
        )
        record(
            "automation.decided",
            channel=pending.channel,
            case_id=case_id,
            customer_id=customer_id,
            subject=row,
            data={
                "decision_id": row.pk,
                "action": decision.action.value,
                "shadow": decision.shadow,
                "intent": decision.intent,
            },
        )
    return row


def _degrade(row: AutomationDecision, action: Action, reason: Reason) -> str:
    row.action = action.value
    row.reasons = [*row.reasons, reason.as_dict()]
    row.save(update_fields=["action", "reasons"])
    record(
        "automation.degraded",
        channel=row.channel,
        case_id=row.case_id,
        subject=row,
        data={"decision_id": row.pk, "action": action.value, "reason": reason.code},
    )
    return f"not sent: {reason.code}"


def _attachments(composed: ComposedLike) -> list[AttachmentUpload]:
    return [
        AttachmentUpload(a.filename, a.content, declared_content_type=a.content_type)
        for a in composed.attachments
    ]


def send_auto_answer(
    *, decision_id: int, composer: Composer | None = None, now: datetime | None = None
) -> str:
    """Send the automatic answer of a live auto-answer decision once; returns what happened.

    Safe to run twice: the decision row is locked and ``sent_message`` set in the same
    transaction as the outbound message. Switches are read again here, so a kill switch pulled
    between decision and sending still stops it; the answer is composed again from fresh data.
    """
    compose = composer or _default_composer
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            AutomationDecision.objects.select_for_update()
            .select_related("case")
            .filter(pk=decision_id)
            .first()
        )
        if row is None:
            return "decision not found"
        if row.sent_message_id is not None:
            return "already sent"
        if row.action != Action.AUTO_ANSWER or row.shadow:
            return "nothing to send"
        settings = queries.current_settings()
        if settings.mode != Mode.LIVE:
            return _degrade(
                row,
                Action.SUGGEST,
                Reason("kill_switch", "Abschaltung (Kill-Switch) aktiv", "Kill switch active")
                if settings.mode == Mode.OFF
                else Reason(
                    "shadow",
                    "Schattenmodus: nichts gesendet",
                    "Shadow mode: nothing sent",
                ),
            )
        if IntentAutomation.objects.filter(intent=row.intent, enabled=False).exists():
            return _degrade(
                row,
                Action.SUGGEST,
                Reason(
                    "intent_disabled",
                    "Automatik für diese Absicht ausgeschaltet",
                    "Automation switched off for this intent",
                ),
            )
        case: Case = row.case
        if case.status not in {Status.NEW, Status.OPEN} or (
            Message.objects.filter(
                case_id=case.pk,
                direction=Message.Direction.OUTBOUND,
                created_at__gte=row.created_at,
            ).exists()
        ):
            return _degrade(
                row,
                Action.SUGGEST,
                Reason(
                    "agent_first",
                    "Sachbearbeitung hat das Anliegen schon bearbeitet",
                    "An agent has already dealt with the case",
                ),
            )
        message = (
            Message.objects.filter(pk=row.message_id).values("understanding").first()
            if row.message_id
            else None
        )
        composed = compose(
            intent=row.intent,
            language=case.language,
            customer_id=case.customer_id,
            understanding=message["understanding"] if message else None,
            case_id=case.pk,
            now=now,
        )
        if not composed.ok:
            return _degrade(row, Action.ROUTE, _compose_failed(composed.reason, composed.missing))
        # The answers app ends every body with the "written automatically — did it not help?"
        # footer: the customer always sees that no person wrote it. Where the portal offers it,
        # a signed one-click link follows.
        body = composed.body
        link = feedback_url(decision_id=row.pk)
        if link:
            line = _FEEDBACK_LINE["en" if case.language == "en" else "de"]
            body = f"{body.rstrip()}\n{line.format(url=link)}"
        uploads = _attachments(composed)
        outbound = case_services.add_message(
            case_id=case.pk,
            direction=Message.Direction.OUTBOUND,
            body_text=body,
            by=None,
            author_label=AUTHOR_LABEL,
            attachments=uploads,
            # Our own documents (invoice PDFs): the upload limit is for what customers send.
            max_attachment_bytes=max((len(u.content) for u in uploads), default=0) or None,
            now=now,
        )
        # What the answer confirmed is carried out in the same transaction (an address change).
        answer_services.apply_answer_effects(
            intent=row.intent,
            customer_id=case.customer_id,
            understanding=message["understanding"] if message else None,
        )
        case_services.change_status(case_id=case.pk, status=Status.RESOLVED, by=None, now=now)
        row.sent_message = outbound
        row.sent_at = now
        row.outcome = Outcome.ANSWERED
        row.outcome_at = now
        row.draft_subject = composed.subject[:300]
        row.draft_body = body
        row.save(
            update_fields=[
                "sent_message",
                "sent_at",
                "outcome",
                "outcome_at",
                "draft_subject",
                "draft_body",
            ]
        )
        record(
            "automation.answer_sent",
            channel=row.channel,
            case_id=case.pk,
            customer_id=case.customer_id,
            subject=row,
            data={"decision_id": row.pk, "message_id": outbound.pk, "intent": row.intent},
        )
    return f"sent {outbound.pk}"


def says_not_helped(text: str) -> bool:
    return bool(_NOT_HELPED.search(text))


def is_thanks_only(text: str) -> bool:
    closing = _CLOSING.search(text)
    content = text[: closing.start()] if closing else text
    return bool(_THANKS_ONLY.match(content.strip()))


def review_customer_reply(*, case_id: int, message_id: int, now: datetime | None = None) -> str:
    """A customer wrote again after an automatic answer: judge the answer and hand over.

    - "did not help" (or the like) → outcome ``not_helped``, the case is escalated (priority at
      least high), tagged, and a person takes over (the reply has already reopened it);
    - nothing but thanks → the answer stands, the case goes back to resolved;
    - anything else within the window → outcome ``reopened``: a person answers.
    Idempotent: a decision already judged ``reopened``/``not_helped`` is not judged again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            AutomationDecision.objects.select_for_update()
            .filter(case_id=case_id, sent_message__isnull=False)
            .order_by("-sent_at", "-id")
            .first()
        )
        if row is None or row.sent_at is None:
            return "no automatic answer in this case"
        message = Message.objects.filter(
            pk=message_id, case_id=case_id, direction=Message.Direction.INBOUND
        ).first()
        if message is None:
            return "not a customer message of this case"
        if message.created_at < row.sent_at:
            return "written before the automatic answer"
        if row.outcome in {Outcome.REOPENED, Outcome.NOT_HELPED}:
            return f"already {row.outcome}"
        window = timedelta(days=queries.current_settings().reopen_window_days)
        if message.created_at > row.sent_at + window:
            return "outside the reopen window"
        text = message.body_text
        if says_not_helped(text):
            outcome = Outcome.NOT_HELPED
        elif is_thanks_only(text):
            if Case.objects.filter(pk=case_id, status=Status.OPEN).exists():
                case_services.change_status(
                    case_id=case_id, status=Status.RESOLVED, by=None, now=now
                )
            return "thanks only: stays answered"
        else:
            outcome = Outcome.REOPENED
        row.outcome = outcome
        row.outcome_at = now
        row.save(update_fields=["outcome", "outcome_at"])
        if outcome is Outcome.NOT_HELPED:
            _hand_to_person(case_id=case_id, now=now)
        record(
            "automation.outcome",
            channel=row.channel,
            case_id=case_id,
            subject=row,
            data={"decision_id": row.pk, "outcome": outcome.value, "message_id": message_id},
        )
    return str(outcome.value)


def _hand_to_person(*, case_id: int, now: datetime) -> None:
    case = Case.objects.get(pk=case_id)
    if case.status == Status.RESOLVED:
        case_services.change_status(case_id=case_id, status=Status.OPEN, by=None, now=now)
        case.status = Status.OPEN
    if case.status not in ACTIVE_STATUSES:
        return  # closed: intake opened a follow-up case, which is routed to a person anyway
    try:
        case = case_services.escalate_case(
            case_id=case_id, reason="Automatische Antwort hat nicht geholfen", by=None, now=now
        )
    except CaseError:
        return
    if case.priority in {Priority.LOW, Priority.NORMAL}:
        case_services.set_priority(case_id=case_id, priority=Priority.HIGH, by=None)
    case_services.tag_case(case_id=case_id, by=None, add=[NOT_HELPED_TAG])


def set_mode(*, mode: str, by: AbstractBaseUser) -> AutomationSettings:
    """Switch off (kill switch), shadow or live; audited, effective with the next message."""
    target = Mode(mode)
    with transaction.atomic():
        AutomationSettings.load()
        row = AutomationSettings.objects.select_for_update().get(pk=1)
        before = snapshot(row)
        old = row.mode
        row.mode = target.value
        row.save(update_fields=["mode", "updated_at"])
        audit_instance(actor=by, action="change", instance=row, changes=diff(before, snapshot(row)))
        record(
            "automation.mode_changed",
            actor=by,
            subject=row,
            data={"from": old, "to": target.value},
        )
    return row


def set_intent_enabled(*, intent: str, enabled: bool, by: AbstractBaseUser) -> IntentAutomation:
    with transaction.atomic():
        row, created = IntentAutomation.objects.select_for_update().get_or_create(
            intent=intent, defaults={"enabled": enabled}
        )
        before = {} if created else snapshot(row)
        row.enabled = enabled
        row.save()
        audit_instance(
            actor=by,
            action="add" if created else "change",
            instance=row,
            changes=diff(before, snapshot(row)),
        )
        record(
            "automation.intent_switched",
            actor=by,
            subject=row,
            data={"intent": intent, "enabled": enabled},
        )
    return row


def feedback_token(*, decision_id: int) -> str:
    return signing.dumps({"d": decision_id}, salt=FEEDBACK_SALT, compress=True)


def feedback_url(*, decision_id: int) -> str:
    """The absolute "did not help" link, or "" where the portal or the site address is not
    configured (then the customer replies instead, as the footer says)."""
    base = str(getattr(django_settings, "BASE_URL", "") or "").rstrip("/")
    if not base:
        return ""
    try:
        path = reverse(FEEDBACK_URL_NAME, kwargs={"token": feedback_token(decision_id=decision_id)})
    except NoReverseMatch:
        return ""
    return f"{base}{path}"


def decision_for_feedback(*, token: str) -> int:
    """The decision a "did not help" link is about; raises ``InvalidFeedbackLinkError``.

    Valid for the reopen window (the same days after which a reply no longer counts)."""
    max_age = timedelta(days=queries.current_settings().reopen_window_days)
    try:
        data = signing.loads(token, salt=FEEDBACK_SALT, max_age=max_age)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise InvalidFeedbackLinkError(str(exc)) from exc
    decision_id = data.get("d") if isinstance(data, dict) else None
    if (
        not isinstance(decision_id, int)
        or not AutomationDecision.objects.filter(
            pk=decision_id, sent_message__isnull=False
        ).exists()
    ):
        raise InvalidFeedbackLinkError("no automatic answer behind this link")
    return decision_id


def report_not_helped(*, token: str, now: datetime | None = None) -> str:
    """The customer clicked "did not help": the case goes back to a person with priority.

    Idempotent: a second click changes nothing (returns "already not_helped")."""
    decision_id = decision_for_feedback(token=token)
    now = now or timezone.now()
    with transaction.atomic():
        row = AutomationDecision.objects.select_for_update().get(pk=decision_id)
        if row.outcome == Outcome.NOT_HELPED:
            return "already not_helped"
        row.outcome = Outcome.NOT_HELPED
        row.outcome_at = now
        row.save(update_fields=["outcome", "outcome_at"])
        _hand_to_person(case_id=row.case_id, now=now)
        record(
            "automation.outcome",
            channel=row.channel,
            case_id=row.case_id,
            subject=row,
            data={"decision_id": row.pk, "outcome": Outcome.NOT_HELPED.value, "via": "link"},
        )
    return Outcome.NOT_HELPED.value
