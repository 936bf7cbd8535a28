"""Customer accounts in the portal: magic-link login, "Meine Anliegen", case detail, reply.

Views are thin: parse → ``portal.services`` / ``portal.queries`` / ``cases.services`` → render.
Every case page requires the customer role; other users get 403 (staff use the workspace), and a
case that is not the customer's own answers 404 like a missing one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kundenversteher.cases import services as case_services
from kundenversteher.cases.access import CUSTOMER_ROLE, role_of
from kundenversteher.cases.errors import CaseError, CaseNotFound
from kundenversteher.cases.models import Message
from kundenversteher.cases.states import Status
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.portal import queries, services
from kundenversteher.portal.errors import InvalidLoginLink
from kundenversteher.portal.throttle import WindowLimit

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponseBase]

# The case status as a customer understands it (the workspace shows the technical status).
STATUS_TEXT = {
    Status.NEW: gettext_lazy("Eingegangen – wir melden uns in Kürze"),
    Status.OPEN: gettext_lazy("In Bearbeitung"),
    Status.WAITING_CUSTOMER: gettext_lazy("Wir warten auf Ihre Antwort"),
    Status.WAITING_THIRD_PARTY: gettext_lazy("Wir warten auf eine Rückmeldung (z. B. Hersteller)"),
    Status.RESOLVED: gettext_lazy("Erledigt – antworten Sie, falls noch etwas offen ist"),
    Status.CLOSED: gettext_lazy("Abgeschlossen"),
}
MAX_FILES_PER_REPLY = 10
CASES_PER_PAGE = 25


def status_text(status: str) -> str:
    return str(STATUS_TEXT.get(Status(status), status))


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return str(request.META.get("REMOTE_ADDR", ""))


def _limits() -> tuple[WindowLimit, WindowLimit]:
    window = int(getattr(settings, "KV_PORTAL_LINK_WINDOW_SECONDS", 15 * 60))
    return (
        WindowLimit(
            "link-address", int(getattr(settings, "KV_PORTAL_LINKS_PER_ADDRESS", 5)), window
        ),
        WindowLimit("link-ip", int(getattr(settings, "KV_PORTAL_LINKS_PER_IP", 20)), window),
    )


def link_minutes() -> int:
    return int(getattr(settings, "KV_PORTAL_LINK_MINUTES", 15))


def customer_required(view: View) -> View:
    """Anonymous → the portal login; signed in but not a customer → 403 (no case data)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if role_of(request.user) != CUSTOMER_ROLE:
            return render(request, "portal/not_customer.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


# --- login ---------------------------------------------------------------------------------


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-Mail-Adresse"), max_length=254)


@require_http_methods(["GET", "POST"])
def login_request(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and role_of(request.user) == CUSTOMER_ROLE:
        return redirect("portal:cases")
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "portal/login.html", {"form": form, "nav": "login"})
    email = form.cleaned_data["email"]
    per_address, per_ip = _limits()
    # Both limits apply to known and unknown addresses alike: the 429 reveals nothing.
    if not per_ip.hit(client_ip(request)) or not per_address.hit(email):
        logger.warning("portal login links: rate limit reached from %s", client_ip(request))
        return render(
            request,
            "portal/login.html",
            {"form": form, "limited": True, "nav": "login"},
            status=429,
        )
    services.request_login_link(
        email=email,
        link_base=settings.BASE_URL.rstrip("/") + reverse("portal:login"),
        valid_minutes=link_minutes(),
    )
    return render(request, "portal/login_sent.html", {"minutes": link_minutes()})


@require_http_methods(["GET", "POST"])
def login_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners that fetch links must not consume them."""
    if request.method == "POST":
        try:
            user = services.redeem_login_token(raw_token=token)
        except InvalidLoginLink:
            return render(request, "portal/login_invalid.html", status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("portal:cases")
    if not queries.login_token_is_valid(raw_token=token):
        return render(request, "portal/login_invalid.html", status=400)
    return render(request, "portal/login_confirm.html")


@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")


# --- my cases ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseRow:
    number: str
    subject: str
    status: str
    status_text: str
    received_at: datetime
    updated_at: datetime


def home(request: HttpRequest) -> HttpResponse:
    return redirect("portal:cases")


@customer_required
def case_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        queries.list_customer_cases(user=request.user),
        CASES_PER_PAGE,
    ).get_page(request.GET.get("seite"))
    rows = [
        CaseRow(
            number=case.number,
            subject=case.subject,
            status=case.status,
            status_text=status_text(case.status),
            received_at=case.received_at,
            updated_at=case.updated_at,
        )
        for case in page.object_list
    ]
    return render(request, "portal/cases.html", {"rows": rows, "page": page, "nav": "cases"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Ihre Nachricht"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        required=False,
    )
    attachments = MultipleFileField(label=gettext_lazy("Dateien anhängen"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        files = data.get("attachments") or []
        if len(files) > MAX_FILES_PER_REPLY:
            raise forms.ValidationError(
                _("Bitte höchstens %(count)d Dateien auf einmal anhängen.")
                % {"count": MAX_FILES_PER_REPLY}
            )
        if not (data.get("body") or "").strip() and not files:
            raise forms.ValidationError(
                _("Bitte schreiben Sie eine Nachricht oder hängen Sie eine Datei an.")
            )
        return data


def _case_or_404(request: HttpRequest, number: str) -> Any:
    try:
        return queries.get_customer_case(user=request.user, number=number)
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc


def _render_case(
    request: HttpRequest, case: Any, form: ReplyForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "portal/case.html",
        {
            "case": case,
            "conversation": case.portal_messages,
            "status_text": status_text(case.status),
            "can_reply": case.status != Status.CLOSED and case.merged_into_id is None,
            "form": form,
            "max_mb": settings.KV_MAX_ATTACHMENT_BYTES // (1024 * 1024),
            "inbound": Message.Direction.INBOUND,
            "nav": "cases",
        },
        status=status,
    )


@customer_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_case(request, _case_or_404(request, number), ReplyForm())


@customer_required
@require_POST
def case_reply(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_case(request, case, form, status=400)
    uploads = [
        AttachmentUpload(
            filename=str(upload.name or ""),
            content=upload.read(),
            declared_content_type=str(upload.content_type or ""),
        )
        for upload in form.cleaned_data["attachments"]
    ]
    try:
        case_services.add_message(
            case_id=case.pk,
            direction=Message.Direction.INBOUND,
            channel="web_form",
            body_text=form.cleaned_data["body"].strip(),
            by=request.user,
            attachments=uploads,
            max_attachment_bytes=settings.KV_MAX_ATTACHMENT_BYTES,
        )
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
    except CaseError as exc:
        # Too large or blocked file, closed case: say so and keep what the customer typed.
        form.add_error(None, str(exc))
        return _render_case(request, case, form, status=400)
    messages.success(request, _("Vielen Dank, Ihre Nachricht ist bei uns eingegangen."))
    return redirect("portal:case", number=case.number)


@customer_required
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    try:
        attachment = queries.get_customer_attachment(
            user=request.user,
            number=number,
            attachment_id=attachment_id,
        )
    except CaseNotFound as exc:
        raise Http404(str(exc)) from exc
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("anmelden/", login_request, name="login"),
    path("anmelden/<str:token>/", login_confirm, name="login-confirm"),
    path("abmelden/", portal_logout, name="logout"),
    path("anliegen/", case_list, name="cases"),
    path("anliegen/<str:number>/", case_detail, name="case"),
    path("anliegen/<str:number>/antworten/", case_reply, name="case-reply"),
    path(
        "anliegen/<str:number>/anhang/<int:attachment_id>/",
        attachment_download,
        name="attachment",
    ),
]
