"""The case view: one screen per case (``/cases/<number>/``) and its POST actions.

Views are thin: they look the case up through ``cases.queries`` (visibility first: a case the
user may not see answers 404 exactly like a missing one), call one ``cases.services`` function
per action, and come back to the case page (POST → redirect → GET) with a message. Domain errors
are shown, never swallowed.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pypdfium2 as pdfium
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kundenversteher.cases import services
from kundenversteher.cases.access import is_staff_role, role_of
from kundenversteher.cases.errors import CaseError, CaseNotFound
from kundenversteher.cases.macros import macros_for_case, render_macro
from kundenversteher.cases.models import (
    AgentProfile,
    Attachment,
    Case,
    CaseLink,
    Macro,
    Message,
    Priority,
    Role,
)
from kundenversteher.cases.queries import get_case_by_number, list_cases, list_routing_decisions
from kundenversteher.cases.sla import running_clocks
from kundenversteher.cases.states import TRANSITIONS, Status
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.customers.errors import CustomerNotFoundError
from kundenversteher.customers.models import Tier
from kundenversteher.customers.queries import get_customer_context
from kundenversteher.customers.types import CustomerContext
from kundenversteher.intake.queries import get_original
from kundenversteher.knowledge.suggestions import (
    DecisionOverview,
    decision_overview,
    suggest_replies,
)
from kundenversteher.workspace.case_forms import (
    AUTOMATION_ACTION_LABELS,
    CHANNEL_ICONS,
    IDENTITY_METHOD_LABELS,
    INTENT_LABELS,
    ROUTING_REASON_LABELS,
    SENTIMENT_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    AssignForm,
    CorrectionForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    UnderstandingPanel,
    choices,
    label,
    understanding_panel,
)

logger = logging.getLogger(__name__)

# Raster images a browser shows in <img>; everything else is offered as a download only.
PREVIEW_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
ORIGINAL_INLINE_TYPES = PREVIEW_IMAGE_TYPES | {"application/pdf"}
# The original is shown in its own tab: no script, no form, no plug-in may run in it, and it can
# load nothing from elsewhere (a mail's remote image would tell the sender it was read).
ORIGINAL_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
# PDFs cannot take "sandbox": Chromium refuses to show a PDF in a sandboxed document (its viewer
# is a plug-in; checked with Debian's Chromium). They get the strictest policy that still shows
# them: nothing may be loaded, framed or submitted. Only application/pdf with nosniff reaches it.
ORIGINAL_PDF_CSP = "default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
# Put in front of stored (already nh3-cleaned) HTML shown in <iframe sandbox srcdoc>.
HTML_VIEW_CSP = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
)
TIER_LABELS = dict(Tier.choices)
PREVIEW_DPI = 100
PREVIEW_MAX_PIXELS = 1600
EARLIER_CASES_SHOWN = 10
ORDERS_SHOWN = 5


# --- lookups ------------------------------------------------------------------------------------


def _staff_case(request: HttpRequest, number: str) -> Case:
    """The visible case with this number for a staff user; 404 for everything else.

    Customers have their own portal: in the workspace they get 404 like anyone guessing.
    """
    if not is_staff_role(role_of(request.user)):
        raise Http404
    try:
        return get_case_by_number(user=request.user, number=number)
    except CaseNotFound as exc:
        raise Http404 from exc


def _acting_user(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # noqa: S101 - login_required ran before
    return user


def _back(case: Case, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("workspace:case", kwargs={"number": case.number})
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _form_error(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


# --- page context -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clock:
    name: str
    due: datetime
    breached: bool


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    message: Message
    kind: str  # inbound | outbound | note
    channel_label: str
    channel_icon: str
    attachments: tuple[Attachment, ...]
    previewable: tuple[int, ...]  # attachment ids shown as <img>
    has_original: bool
    original_is_image: bool
    ocr_confidence: float | None
    html_srcdoc: str
    identity_reason: str
    mentions: tuple[str, ...]
    automatic: bool  # sent by the automation (knowledge.automation), marked in the timeline


_CLOCK_NAMES = {
    "first_response": gettext_lazy("Erstreaktion"),
    "next_response": gettext_lazy("Folgereaktion"),
    "resolution": gettext_lazy("Lösung"),
}


def _clocks(case: Case, now: datetime) -> list[Clock]:
    return [
        Clock(name=str(_CLOCK_NAMES.get(c.clock, c.clock)), due=c.due, breached=c.due <= now)
        for c in running_clocks(case)
    ]


def _timeline(case: Case, *, automatic: frozenset[int] = frozenset()) -> list[TimelineEntry]:
    entries = []
    channel_labels = dict(Case._meta.get_field("channel").choices or [])
    for message in case.messages.all():
        attachments = tuple(message.attachments.all())
        has_original = bool(message.raw_ref.startswith("intake:"))
        original_is_image = False
        ocr_confidence = None
        if has_original and message.channel in {"letter", "fax"}:
            # Letters and faxes get a preview of the scan; only these load the original here.
            original = get_original(raw_ref=message.raw_ref)
            has_original = original is not None
            if original is not None:
                original_is_image = _base_type(original.content_type) in ORIGINAL_INLINE_TYPES
                ocr_confidence = original.ocr_confidence
        identity = message.identity if isinstance(message.identity, dict) else {}
        entries.append(
            TimelineEntry(
                message=message,
                kind=str(message.direction),
                channel_label=str(channel_labels.get(message.channel, message.channel)),
                channel_icon=CHANNEL_ICONS.get(message.channel, "•"),
                attachments=attachments,
                previewable=tuple(
                    a.pk for a in attachments if a.content_type in PREVIEW_IMAGE_TYPES
                ),
                has_original=has_original,
                original_is_image=original_is_image,
                ocr_confidence=ocr_confidence,
                html_srcdoc=HTML_VIEW_CSP + message.body_html if message.body_html else "",
                identity_reason=str(identity.get("reason", "")),
                mentions=tuple(u.get_username() for u in message.mentions.all()),
                automatic=message.pk in automatic,
            )
        )
    return entries


def _latest_understanding(case: Case) -> UnderstandingPanel | None:
    for message in reversed(list(case.messages.all())):
        if message.direction == Message.Direction.INBOUND and message.understanding:
            panel = understanding_panel(message_id=message.pk, data=message.understanding)
            if panel is not None:
                return panel
    return None


def _identity(case: Case) -> dict[str, str] | None:
    for message in case.messages.all():
        identity = message.identity if isinstance(message.identity, dict) else {}
        if identity:
            confidence = identity.get("confidence")
            return {
                "method": label(IDENTITY_METHOD_LABELS, str(identity.get("method", ""))),
                "reason": str(identity.get("reason", "")),
                "percent": str(round(float(confidence) * 100))
                if isinstance(confidence, int | float)
                else "",
            }
    return None


def _customer_context(case: Case) -> CustomerContext | None:
    if case.customer_id is None:
        return None
    try:
        return get_customer_context(case.customer_id)
    except CustomerNotFoundError:
        return None


def _assignable_agents(case: Case) -> list[Any]:
    """Staff a supervisor can hand the case to: the case team's members, else all staff."""
    profiles = AgentProfile.objects.filter(user__is_active=True).select_related("user")
    if case.team_id is not None:
        profiles = profiles.filter(teams=case.team_id)
    return [p.user for p in profiles.order_by("user__username")]


_VALUE_LABELS = {"intent": INTENT_LABELS, "sentiment": SENTIMENT_LABELS, "urgency": URGENCY_LABELS}


@dataclass(frozen=True, slots=True)
class LinkedCase:
    number: str
    subject: str
    kind_label: str


def _linked_cases(request: HttpRequest, case: Case) -> list[LinkedCase]:
    """Cases linked to this one (duplicates, follow-ups, splits) that the user may see."""
    kinds = dict(CaseLink.Kind.choices)
    pairs = [(link.to_case, link.kind) for link in case.links_from.all()]
    pairs += [(link.from_case, link.kind) for link in case.links_to.all()]
    if case.merged_into is not None:
        pairs.append((case.merged_into, "merged_into"))
    visible = (
        set(
            Case.objects.visible_to(request.user)
            .filter(pk__in=[other.pk for other, _kind in pairs])
            .values_list("pk", flat=True)
        )
        if pairs
        else set()
    )
    return [
        LinkedCase(
            number=other.number,
            subject=other.subject,
            kind_label=str(
                _("zusammengeführt in") if kind == "merged_into" else kinds.get(kind, kind)
            ),
        )
        for other, kind in pairs
        if other.pk in visible
    ]


@dataclass(frozen=True, slots=True)
class AutomationPanel:
    """The panel "Automatische Antwort – Entscheidung" (the latest decision of the case)."""

    action: str
    action_label: str
    shadow: bool
    intent_label: str
    confidence_percent: int | None
    threshold_percent: int | None
    reasons: tuple[str, ...]
    sent_message_id: int | None


def _automation_panel(overview: DecisionOverview | None) -> AutomationPanel | None:
    if overview is None:
        return None
    return AutomationPanel(
        action=overview.action,
        action_label=label(AUTOMATION_ACTION_LABELS, overview.action),
        shadow=overview.shadow,
        intent_label=label(INTENT_LABELS, overview.intent) if overview.intent else "",
        confidence_percent=_percent(overview.confidence),
        threshold_percent=_percent(overview.threshold),
        reasons=tuple(r.text or r.code for r in overview.reasons),
        sent_message_id=overview.sent_message_id,
    )


def _percent(value: float | None) -> int | None:
    return round(value * 100) if value is not None else None


def _case_context(request: HttpRequest, case: Case, *, reply_form: ReplyForm) -> dict[str, Any]:
    user = request.user
    role = role_of(user)
    now = timezone.now()
    customer = _customer_context(case)
    earlier = (
        list(
            list_cases(user=user, customer_id=case.customer_id)
            .exclude(pk=case.pk)
            .select_related(None)
            .only("number", "subject", "status", "created_at")[:EARLIER_CASES_SHOWN]
        )
        if case.customer_id is not None
        else []
    )
    staff = _assignable_agents(case)
    decisions = list_routing_decisions(user=user, case_id=case.pk)
    macros = macros_for_case(case)
    allowed = sorted(TRANSITIONS[Status(case.status)], key=list(Status).index)
    panel = _latest_understanding(case)
    # One query for the decision panel and every "automatically answered" badge.
    overview = decision_overview(case_id=case.pk, language=get_language() or "de")
    return {
        "case": case,
        "status_label": label(STATUS_LABELS, case.status),
        "intent_label": label(INTENT_LABELS, case.intent) if case.intent else "",
        "intent_percent": round(case.intent_confidence * 100)
        if case.intent_confidence is not None
        else None,
        "sentiment_label": label(SENTIMENT_LABELS, case.sentiment) if case.sentiment else "",
        "urgency_label": label(URGENCY_LABELS, case.urgency) if case.urgency else "",
        "clocks": _clocks(case, now),
        "sla_paused": case.sla_paused_at is not None,
        "timeline": _timeline(
            case, automatic=overview.auto_sent_message_ids if overview else frozenset()
        ),
        "automation": _automation_panel(overview),
        "understanding": panel,
        "identity": _identity(case),
        "corrections": [
            (
                correction,
                label(_VALUE_LABELS.get(correction.field, {}), correction.old_value),
                label(_VALUE_LABELS.get(correction.field, {}), correction.new_value),
            )
            for correction in case.corrections.select_related("by")[:20]
        ],
        "intent_choices": choices(INTENT_LABELS),
        "sentiment_choices": choices(SENTIMENT_LABELS),
        "urgency_choices": choices(URGENCY_LABELS),
        "customer": customer,
        "tier_label": label(TIER_LABELS, customer.tier) if customer else "",
        "orders": customer.orders[:ORDERS_SHOWN] if customer else (),
        "more_orders": max(0, len(customer.orders) - ORDERS_SHOWN) if customer else 0,
        "earlier_cases": [(c, label(STATUS_LABELS, c.status)) for c in earlier],
        "decisions": [
            (
                d,
                [
                    (label(ROUTING_REASON_LABELS, str(r.get("code", ""))), str(r.get("text", "")))
                    for r in d.reasons
                    if isinstance(r, dict)
                ],
            )
            for d in decisions
        ],
        "macros": macros,
        "reply_form": reply_form,
        "note_form": NoteForm(),
        "status_choices": [(s.value, label(STATUS_LABELS, s.value)) for s in allowed],
        "can_resolve": Status.RESOLVED in allowed,
        "priority_choices": Priority.choices,
        "is_supervisor": role in {Role.ADMIN, Role.SUPERVISOR},
        "assignable": staff if role in {Role.ADMIN, Role.SUPERVISOR} else [],
        "assigned_to_me": case.assignee_id == user.pk,
        "mentionable": [u.get_username() for u in staff][:20],
        "linked_cases": _linked_cases(request, case),
        "closed": case.status == Status.CLOSED,
        "max_attachment_mb": settings.KV_MAX_ATTACHMENT_BYTES // (1024 * 1024),
    }


# --- GET views ----------------------------------------------------------------------------------


@login_required
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    initial: dict[str, str] = {}
    macro_id = request.GET.get("macro", "")
    if macro_id.isdigit():
        # Without JavaScript the macro picker reloads the page with the macro in the editor.
        macro = next((m for m in macros_for_case(case) if m.pk == int(macro_id)), None)
        if macro is not None:
            rendered = render_macro(macro=macro, case=case, agent=request.user)
            initial = {"body": rendered.text, "status_after": _status_after(macro)}
            _report_macro_gaps(request, rendered.unknown, rendered.missing)
    context = _case_context(request, case, reply_form=ReplyForm(initial=initial))
    return render(request, "workspace/case.html", context)


SUGGESTIONS_SHOWN = 6


@login_required
@require_GET
def case_suggestions(request: HttpRequest, number: str) -> HttpResponse:
    """The reply suggestions panel, loaded by htmx after the case page (it ranks hundreds of
    earlier answers: the case page itself must not wait for that)."""
    if not is_staff_role(role_of(request.user)):
        raise Http404
    case_id = Case.objects.visible_to(request.user).filter(number=number.strip().upper())
    found = case_id.values_list("pk", flat=True).first()
    if found is None:
        raise Http404
    try:
        suggestions = suggest_replies(case_id=found, user=request.user, limit=SUGGESTIONS_SHOWN)
    except CaseNotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "workspace/_case_suggestions.html",
        {"suggestions": suggestions, "number": number.strip().upper()},
    )


def _status_after(macro: Macro) -> str:
    return macro.set_status if macro.set_status in {"waiting_customer", "resolved"} else ""


def _report_macro_gaps(
    request: HttpRequest, unknown: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    if unknown:
        messages.warning(
            request,
            _("Unbekannte Platzhalter im Textbaustein (bitte von Hand ersetzen): %s")
            % ", ".join(unknown),
        )
    if missing:
        messages.warning(
            request,
            _("Für diesen Fall ohne Wert (bitte von Hand ersetzen): %s") % ", ".join(missing),
        )


@login_required
@require_GET
def macro_text(request: HttpRequest, number: str, macro_id: int) -> JsonResponse:
    """The macro filled for this case, for case.js to insert at the cursor."""
    case = _staff_case(request, number)
    macro = next((m for m in macros_for_case(case) if m.pk == macro_id), None)
    if macro is None:
        raise Http404
    rendered = render_macro(macro=macro, case=case, agent=request.user)
    return JsonResponse(
        {
            "text": rendered.text,
            "unknown": list(rendered.unknown),
            "missing": list(rendered.missing),
            "status_after": _status_after(macro),
        }
    )


@login_required
@require_GET
def attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    case = _staff_case(request, number)
    found = Attachment.objects.filter(pk=attachment_id, message__case=case).first()
    if found is None:
        raise Http404
    # Always a download with the sniffed type; an <img> may still show a raster image from here.
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_filename,
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ORIGINAL_CSP
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def original(request: HttpRequest, number: str, message_id: int) -> HttpResponseBase:
    """The stored original of a letter or mail: scans and PDFs inline under a CSP that lets
    nothing run or load, raw mail as a text download, anything else as a download."""
    case = _staff_case(request, number)
    message = Message.objects.filter(pk=message_id, case=case).first()
    if message is None or not message.raw_ref:
        raise Http404
    found = get_original(raw_ref=message.raw_ref)
    if found is None:
        raise Http404
    content_type = _base_type(found.content_type)
    filename = found.filename or f"original-{message.pk}"
    if content_type in ORIGINAL_INLINE_TYPES:
        response: HttpResponseBase = FileResponse(
            io.BytesIO(found.content),
            as_attachment=False,
            filename=filename,
            content_type=content_type,
        )
    elif content_type.startswith(("message/", "text/")):
        # A raw mail is shown as what it is: text. Never as HTML, never executed.
        response = FileResponse(
            io.BytesIO(found.content),
            as_attachment=True,
            filename=filename if "." in filename else f"{filename}.eml.txt",
            content_type="text/plain; charset=utf-8",
        )
    else:
        response = FileResponse(
            io.BytesIO(found.content),
            as_attachment=True,
            filename=filename,
            content_type="application/octet-stream",
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        ORIGINAL_PDF_CSP if content_type == "application/pdf" else ORIGINAL_CSP
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _base_type(content_type: str) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _first_page_png(pdf: bytes) -> bytes | None:
    """Page 1 of a scanned letter as PNG (about 100 dpi), or None if the PDF cannot be read.

    The browser gets a plain image: its PDF viewer never runs on customer-supplied files.
    """
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        return None
    try:
        if len(document) == 0:
            return None
        image = document[0].render(scale=PREVIEW_DPI / 72).to_pil()
        image.thumbnail((PREVIEW_MAX_PIXELS, PREVIEW_MAX_PIXELS))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    finally:
        document.close()


@login_required
@require_GET
def original_preview(request: HttpRequest, number: str, message_id: int) -> HttpResponse:
    """A preview image of a letter's original (page 1 of a PDF, or the scan image itself)."""
    case = _staff_case(request, number)
    message = Message.objects.filter(pk=message_id, case=case).first()
    found = get_original(raw_ref=message.raw_ref) if message and message.raw_ref else None
    if found is None:
        raise Http404
    content_type = _base_type(found.content_type)
    if content_type in PREVIEW_IMAGE_TYPES:
        body, preview_type = found.content, content_type
    elif content_type == "application/pdf":
        png = _first_page_png(found.content)
        if png is None:
            raise Http404
        body, preview_type = png, "image/png"
    else:
        raise Http404
    response = HttpResponse(body, content_type=preview_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ORIGINAL_CSP
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- POST actions -------------------------------------------------------------------------------


def _uploads(request: HttpRequest) -> list[AttachmentUpload] | None:
    """The uploaded files, or None (with a message) when one is over the size limit."""
    limit = int(settings.KV_MAX_ATTACHMENT_BYTES)
    files: list[UploadedFile] = request.FILES.getlist("attachments")
    for upload in files:
        if upload.size is not None and upload.size > limit:
            messages.error(
                request,
                _("Anhang »%(name)s« ist zu groß (höchstens %(mb)s MB).")
                % {"name": upload.name, "mb": limit // (1024 * 1024)},
            )
            return None
    return [
        AttachmentUpload(
            filename=str(upload.name or "anhang"),
            content=upload.read(),
            declared_content_type=str(upload.content_type or ""),
        )
        for upload in files
    ]


@login_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    form = ReplyForm(request.POST)
    uploads = _uploads(request)
    if not form.is_valid() or uploads is None:
        if not form.is_valid():
            _form_error(request, form)
        # Re-show the page with the typed text kept: a failed send must not lose a long answer.
        context = _case_context(request, case, reply_form=form)
        return render(request, "workspace/case.html", context, status=400)
    user = _acting_user(request)
    try:
        services.add_message(
            case_id=case.pk,
            direction=Message.Direction.OUTBOUND,
            body_text=form.cleaned_data["body"],
            by=user,
            attachments=uploads,
            max_attachment_bytes=int(settings.KV_MAX_ATTACHMENT_BYTES),
        )
    except CaseError as exc:
        messages.error(request, str(exc))
        context = _case_context(request, case, reply_form=form)
        return render(request, "workspace/case.html", context, status=409)
    messages.success(request, _("Antwort gespeichert und zum Versand übergeben."))
    status_after = form.cleaned_data.get("status_after") or ""
    if status_after:
        # The reply is stored either way; a refused status change is reported on its own.
        try:
            services.change_status(case_id=case.pk, status=status_after, by=user)
        except CaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Status: %s") % label(STATUS_LABELS, status_after))
    return _back(case, "timeline")


@login_required
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    form = NoteForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(case, "note")
    try:
        message = services.add_note(
            case_id=case.pk, body_text=form.cleaned_data["body"], by=_acting_user(request)
        )
    except CaseError as exc:
        messages.error(request, str(exc))
        return _back(case, "note")
    mentioned = [u.get_username() for u in message.mentions.all()]
    if mentioned:
        messages.success(
            request,
            ngettext(
                "Notiz gespeichert, %(names)s erwähnt.",
                "Notiz gespeichert, %(names)s erwähnt.",
                len(mentioned),
            )
            % {"names": ", ".join(mentioned)},
        )
    else:
        messages.success(request, _("Notiz gespeichert."))
    return _back(case, "timeline")


@login_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    form = AssignForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(case)
    user = _acting_user(request)
    choice = form.cleaned_data["agent"]
    agent_id: int | None
    if choice == "me":
        agent_id = int(user.pk)
    elif choice == "":
        agent_id = None
    elif choice.isdigit():
        agent_id = int(choice)
    else:
        messages.error(request, _("Ungültige Auswahl."))
        return _back(case)
    try:
        updated = services.assign_case(
            case_id=case.pk,
            agent_id=agent_id,
            by=user,
            expected_version=form.cleaned_data["expected_version"],
        )
    except CaseError as exc:
        # ConcurrentUpdate names who won the race: the loser sees it here.
        messages.error(request, str(exc))
        return _back(case)
    if updated.assignee is None:
        messages.success(request, _("Zuweisung aufgehoben."))
    else:
        name = updated.assignee.get_full_name() or updated.assignee.get_username()
        messages.success(request, _("Zugewiesen an %s.") % name)
    return _back(case)


@login_required
@require_POST
def change_status(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    form = StatusForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(case)
    try:
        updated = services.change_status(
            case_id=case.pk,
            status=form.cleaned_data["status"],
            by=_acting_user(request),
            expected_version=form.cleaned_data["expected_version"],
        )
    except CaseError as exc:
        messages.error(request, str(exc))
        return _back(case)
    messages.success(request, _("Status: %s") % label(STATUS_LABELS, updated.status))
    return _back(case)


@login_required
@require_POST
def change_priority(request: HttpRequest, number: str) -> HttpResponse:
    case = _staff_case(request, number)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(case)
    try:
        updated = services.set_priority(
            case_id=case.pk, priority=form.cleaned_data["priority"], by=_acting_user(request)
        )
    except CaseError as exc:
        messages.error(request, str(exc))
        return _back(case)
    messages.success(request, _("Priorität: %s") % updated.get_priority_display())
    return _back(case)


@login_required
@require_POST
def correct(request: HttpRequest, number: str) -> HttpResponse:
    """One-click correction of intent, sentiment or urgency, kept as training data."""
    case = _staff_case(request, number)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back(case, "understanding")
    field = form.cleaned_data["field"]
    value = form.cleaned_data["value"]
    try:
        services.correct_understanding(
            case_id=case.pk,
            field=field,
            value=value,
            by=_acting_user(request),
            message_id=form.cleaned_data.get("message_id"),
        )
    except CaseError as exc:
        messages.error(request, str(exc))
        return _back(case, "understanding")
    messages.success(
        request,
        _("Korrektur gespeichert: %(value)s. Danke – sie hilft beim nächsten Training.")
        % {"value": label(_VALUE_LABELS[field], value)},
    )
    return _back(case, "understanding")


urlpatterns = [
    path("cases/<str:number>/", case_detail, name="case"),
    path("cases/<str:number>/reply/", reply, name="case-reply"),
    path("cases/<str:number>/note/", note, name="case-note"),
    path("cases/<str:number>/assign/", assign, name="case-assign"),
    path("cases/<str:number>/status/", change_status, name="case-status"),
    path("cases/<str:number>/priority/", change_priority, name="case-priority"),
    path("cases/<str:number>/correct/", correct, name="case-correct"),
    path("cases/<str:number>/macros/<int:macro_id>/", macro_text, name="case-macro"),
    path("cases/<str:number>/suggestions/", case_suggestions, name="case-suggestions"),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>/",
        attachment,
        name="case-attachment",
    ),
    path("cases/<str:number>/original/<int:message_id>/", original, name="case-original"),
    path(
        "cases/<str:number>/original/<int:message_id>/preview/",
        original_preview,
        name="case-original-preview",
    ),
]
