"""The intake monitor ``/posteingang/stoerungen/`` for supervisors and admins (agents get 403).

It shows what did not become a case: dead letters (state failed) with their steps and last error,
automatic mail that was ignored, and outbound mail that could not be sent. "Erneut verarbeiten"
and "Erneut senden" are POST forms calling ``intake.services.retry_inbound`` and
``intake.mail.services.requeue_outbound``. The original's download is the admin's audited one,
so it is offered to admins only (the admin site is theirs).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kundenversteher.cases.access import CUSTOMER_ROLE, role_of
from kundenversteher.cases.models import Role
from kundenversteher.intake import services as intake_services
from kundenversteher.intake.errors import IntakeError
from kundenversteher.intake.mail import services as mail_services
from kundenversteher.intake.mail.models import OutboundMail
from kundenversteher.intake.models import InboundMessage, InboundState, InboundStep

MONITOR_ROLES = {Role.ADMIN.value, Role.SUPERVISOR.value}
LIST_LIMIT = 100


def _require_monitor(request: HttpRequest) -> HttpResponse | None:
    """None when allowed; customers go to their portal; agents and others get 403."""
    role = role_of(request.user)
    if role == CUSTOMER_ROLE:
        return redirect("portal:home")
    if role not in MONITOR_ROLES:
        raise PermissionDenied(_("Nur für Teamleitung und Administration."))
    return None


def inbound_problems(*, state: str, limit: int = LIST_LIMIT) -> list[InboundMessage]:
    """Inbound rows in ``state``, newest first, with their steps (two queries)."""
    steps = Prefetch(
        "steps",
        queryset=InboundStep.objects.only(
            "id", "inbound_id", "name", "status", "attempt", "duration_ms", "detail", "at"
        ).order_by("at", "id"),
    )
    return list(
        InboundMessage.objects.filter(state=state)
        .defer("meta", "claim_token")
        .prefetch_related(steps)
        .order_by("-received_at", "-id")[:limit]
    )


def failed_outbound(*, limit: int = LIST_LIMIT) -> list[OutboundMail]:
    return list(
        OutboundMail.objects.filter(state=OutboundMail.State.FAILED)
        .select_related("mailbox", "case")
        .only(
            "id",
            "kind",
            "state",
            "to_address",
            "subject",
            "attempts",
            "last_error",
            "updated_at",
            "mailbox__name",
            "case__number",
        )
        .order_by("-updated_at", "-id")[:limit]
    )


@login_required
@require_GET
def intake_monitor(request: HttpRequest) -> HttpResponse:
    refused = _require_monitor(request)
    if refused is not None:
        return refused
    failed = inbound_problems(state=InboundState.FAILED)
    ignored = inbound_problems(state=InboundState.IGNORED)
    outbound = failed_outbound()
    context = {
        "failed": failed,
        "ignored": ignored,
        "outbound": outbound,
        "counts": {
            "failed": InboundMessage.objects.filter(state=InboundState.FAILED).count(),
            "ignored": InboundMessage.objects.filter(state=InboundState.IGNORED).count(),
            "outbound": OutboundMail.objects.filter(state=OutboundMail.State.FAILED).count(),
        },
        "limit": LIST_LIMIT,
        "is_admin": role_of(request.user) == Role.ADMIN.value,
    }
    return render(request, "workspace/intake_monitor.html", context)


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("workspace:intake-monitor"))


@login_required
@require_POST
def retry(request: HttpRequest, inbound_id: int) -> HttpResponse:
    refused = _require_monitor(request)
    if refused is not None:
        return refused
    try:
        intake_services.retry_inbound(inbound_id=inbound_id, by=request.user)
    except IntakeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Nachricht #%(id)s wird erneut verarbeitet.") % {"id": inbound_id}
        )
    return _back()


@login_required
@require_POST
def resend(request: HttpRequest, outbound_id: int) -> HttpResponse:
    refused = _require_monitor(request)
    if refused is not None:
        return refused
    if mail_services.requeue_outbound(outbound_id=outbound_id, by=request.user):
        messages.success(request, _("E-Mail #%(id)s wird erneut gesendet.") % {"id": outbound_id})
    else:
        messages.error(
            request,
            _("E-Mail #%(id)s ist nicht (mehr) fehlgeschlagen und wurde nicht neu eingereiht.")
            % {"id": outbound_id},
        )
    return _back()


urlpatterns: list[URLPattern] = [
    path("posteingang/stoerungen/", intake_monitor, name="intake-monitor"),
    path("posteingang/stoerungen/<int:inbound_id>/retry/", retry, name="intake-retry"),
    path(
        "posteingang/stoerungen/ausgang/<int:outbound_id>/resend/", resend, name="outbound-resend"
    ),
]
