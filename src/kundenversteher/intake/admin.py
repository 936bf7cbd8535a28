"""Admin for inbound messages: the dead-letter view.

Everything is read-only (the pipeline owns the workflow fields); "Erneut verarbeiten" per row
(POST with CSRF) and as a list action calls ``services.retry_inbound``; the original can be
downloaded, which is audited like any other export of personal data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kundenversteher.intake import services
from kundenversteher.intake.errors import IntakeError
from kundenversteher.intake.models import InboundMessage, InboundState, InboundStep
from kundenversteher.intake.queries import read_raw
from kundenversteher.privacy.audit import AuditedModelAdmin, record_audit
from kundenversteher.privacy.models import AuditEntry

_RAW_EXTENSIONS = {"message/rfc822": ".eml", "application/pdf": ".pdf", "image/tiff": ".tif"}


class InboundStepInline(admin.TabularInline[InboundStep, InboundMessage]):
    model = InboundStep
    extra = 0
    can_delete = False
    fields = ("at", "attempt", "name", "status", "duration_ms", "detail")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(AuditedModelAdmin[InboundMessage]):
    change_form_template = "intake/admin/inbound_change_form.html"
    list_display = [
        "id",
        "received_at",
        "channel",
        "source",
        "state",
        "attempts",
        "automatic",
        "case",
        "short_error",
    ]
    list_filter = ["state", "channel", "automatic", "source"]
    search_fields = ["message_id", "source", "filename", "dedupe_key"]
    date_hierarchy = "received_at"
    list_select_related = ["case"]
    exclude = ["claim_token"]
    readonly_fields = [
        "channel",
        "source",
        "content_type",
        "filename",
        "raw_size",
        "raw_sha256",
        "raw_path",
        "message_id",
        "dedupe_key",
        "received_at",
        "state",
        "attempts",
        "last_error",
        "claimed_at",
        "processed_at",
        "automatic",
        "ocr_confidence",
        "customer",
        "case",
        "case_message",
        "meta",
    ]
    inlines = [InboundStepInline]
    actions = ["retry_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages arrive through the channels, never typed in

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # "never silently dropped"; erasure goes through the privacy provider

    @admin.display(description=_("Fehler"))
    def short_error(self, obj: InboundMessage) -> str:
        return obj.last_error[:80]

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:inbound_id>/retry/",
                self.admin_site.admin_view(require_POST(self.retry_view)),
                name="intake_inboundmessage_retry",
            ),
            path(
                "<int:inbound_id>/original/",
                self.admin_site.admin_view(self.original_view),
                name="intake_inboundmessage_original",
            ),
        ]
        return own + super().get_urls()

    def _retry(self, request: HttpRequest, inbound_id: int) -> bool:
        try:
            services.retry_inbound(inbound_id=inbound_id, by=request.user)
        except IntakeError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return False
        record_audit(
            actor=request.user,
            action=AuditEntry.Action.CHANGE,
            model=InboundMessage._meta.label_lower,
            object_id=inbound_id,
            object_repr=f"#{inbound_id}",
            changes={"state": [InboundState.FAILED.value, InboundState.RECEIVED.value]},
        )
        return True

    def retry_view(self, request: HttpRequest, inbound_id: int) -> HttpResponse:
        if not self.has_view_permission(request) or not request.user.has_perm(
            "intake.change_inboundmessage"
        ):
            raise PermissionDenied
        if self._retry(request, inbound_id):
            self.message_user(
                request,
                _("Nachricht #%(id)s wird erneut verarbeitet.") % {"id": inbound_id},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:intake_inboundmessage_change", args=[inbound_id])
        )

    def original_view(self, request: HttpRequest, inbound_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        inbound = get_object_or_404(InboundMessage, pk=inbound_id)
        content = read_raw(inbound)
        if content is None:
            raise Http404(_("Die Originaldatei ist nicht mehr vorhanden."))
        record_audit(
            actor=request.user,
            action=AuditEntry.Action.EXPORT,
            model=InboundMessage._meta.label_lower,
            object_id=inbound.pk,
            object_repr=str(inbound),
            changes={"original": inbound.raw_sha256},
        )
        base_type = inbound.content_type.split(";")[0].strip().lower()
        name = inbound.filename or f"eingang-{inbound.pk}{_RAW_EXTENSIONS.get(base_type, '')}"
        response = HttpResponse(content, content_type="application/octet-stream")
        # Always a download: a stored HTML mail part must never render in the admin's origin.
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = kwargs.get("obj")
        context["can_retry"] = obj is not None and obj.state == InboundState.FAILED
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description=_("Erneut verarbeiten"), permissions=["change"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        ids = list(queryset.filter(state=InboundState.FAILED).values_list("id", flat=True))
        done = sum(1 for inbound_id in ids if self._retry(request, inbound_id))
        self.message_user(
            request,
            _("%(count)d Nachricht(en) werden erneut verarbeitet.") % {"count": done},
            messages.SUCCESS,
        )
