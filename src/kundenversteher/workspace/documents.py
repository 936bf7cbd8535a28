"""The upload screen ``/posteingang/dokumente/``: staff hand in scanned letters and faxes.

Each file is judged by its bytes (PDF, TIFF, PNG, JPEG, like the drop folder), never by its name
or the browser's header, and handed to ``intake.services.receive``: from there it takes the same
path as a letter from the drop folder. The page lists the user's own recent uploads; while any is
still waiting, the list re-fetches itself every 2 s (htmx ``hx-trigger="every 2s"``) and stops
once all are filed or failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import filetype
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kundenversteher.cases.access import CUSTOMER_ROLE, is_staff_role, role_of
from kundenversteher.cases.attachments import safe_filename
from kundenversteher.cases.models import Channel
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.services import receive

ACCEPTED_TYPES = frozenset({"application/pdf", "image/tiff", "image/png", "image/jpeg"})
PENDING_STATES = frozenset({InboundState.RECEIVED.value, InboundState.PROCESSING.value})
RECENT_LIMIT = 20
CHANNEL_CHOICES = [
    (Channel.LETTER.value, gettext_lazy("Brief")),
    (Channel.FAX.value, gettext_lazy("Fax")),
]


class UploadForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Eingang per"), choices=CHANNEL_CHOICES, initial=Channel.LETTER.value
    )
    received_on = forms.DateField(
        label=gettext_lazy("eingegangen am"),
        required=False,
        help_text=gettext_lazy("Leer lassen, wenn das Schreiben heute eingegangen ist."),
        widget=forms.DateInput(
            attrs={"type": "date", "aria-describedby": "received-on-help"}, format="%Y-%m-%d"
        ),
    )

    def clean_received_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("received_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("Das Eingangsdatum darf nicht in der Zukunft liegen."))
        return value


@dataclass(frozen=True)
class Outcome:
    """What happened to one uploaded file (shown as a message, kept for tests)."""

    filename: str
    inbound_id: int | None
    duplicate: bool
    refused: str  # reason, empty when taken


def _staff_user(request: HttpRequest) -> AbstractBaseUser | HttpResponse:
    """The signed-in staff user; customers go to their portal, users without a role get 403."""
    user = request.user
    role = role_of(user)
    if role == CUSTOMER_ROLE:
        return redirect("portal:home")
    if not isinstance(user, AbstractBaseUser) or not is_staff_role(role):
        raise PermissionDenied
    return user


def sniff_scan_type(content: bytes) -> str:
    """The type the bytes say they are ("" when unknown)."""
    kind = filetype.guess(content[:8192])
    return str(kind.mime) if kind is not None else ""


def _received_at(day: date | None) -> datetime | None:
    """A past date means "came in that day" (noon, local time); today means now."""
    if day is None or day == timezone.localdate():
        return None
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def take_upload(
    *, upload: UploadedFile, channel: str, user: AbstractBaseUser, received_on: date | None
) -> Outcome:
    """Check one file and hand it to intake; refusals are outcomes, not exceptions."""
    name = safe_filename(upload.name or "")
    max_bytes = int(settings.KV_MAX_ATTACHMENT_BYTES)
    size = upload.size or 0
    if size > max_bytes:  # checked before reading: a huge upload is never held in memory
        return Outcome(
            name,
            None,
            False,
            _("zu groß (%(mb)s MB, erlaubt sind %(limit)s MB)")
            % {"mb": number_format(size / 1e6, 1), "limit": number_format(max_bytes / 1e6, 1)},
        )
    content = upload.read()
    if not content:
        return Outcome(name, None, False, _("die Datei ist leer"))
    content_type = sniff_scan_type(content)
    if content_type not in ACCEPTED_TYPES:
        return Outcome(
            name,
            None,
            False,
            _("kein Scan (PDF, TIFF, PNG oder JPEG): erkannter Dateityp %(type)s")
            % {"type": content_type or _("unbekannt")},
        )
    result = receive(
        channel=channel,
        raw=content,
        source=f"upload:{user.get_username()}",
        content_type=content_type,
        filename=name,
        meta={"uploaded_by": user.pk},
        received_at=_received_at(received_on),
    )
    return Outcome(name, result.inbound_id, result.duplicate, "")


def recent_uploads(*, user: AbstractBaseUser, limit: int = RECENT_LIMIT) -> list[InboundMessage]:
    """The user's latest uploads with their case (one query)."""
    return list(
        InboundMessage.objects.filter(meta__uploaded_by=user.pk)
        .select_related("case")
        .only(
            "id",
            "channel",
            "filename",
            "received_at",
            "state",
            "last_error",
            "case__id",
            "case__number",
            "case__subject",
        )
        .order_by("-id")[:limit]
    )


def _state_label(inbound_id: int) -> str:
    row = InboundMessage.objects.filter(pk=inbound_id).only("state").first()
    return str(row.get_state_display()) if row is not None else ""


def _report(request: HttpRequest, outcome: Outcome) -> None:
    if outcome.refused:
        messages.error(
            request,
            _("»%(name)s« wurde nicht angenommen: %(reason)s.")
            % {"name": outcome.filename, "reason": outcome.refused},
        )
    elif outcome.duplicate and outcome.inbound_id is not None:
        messages.warning(
            request,
            _("»%(name)s« ist bereits eingegangen (Eingang #%(id)s, Status: %(state)s).")
            % {
                "name": outcome.filename,
                "id": outcome.inbound_id,
                "state": _state_label(outcome.inbound_id),
            },
        )
    else:
        messages.success(
            request,
            _("»%(name)s« ist eingegangen (Eingang #%(id)s) und wird verarbeitet.")
            % {"name": outcome.filename, "id": outcome.inbound_id},
        )


def _list_context(user: AbstractBaseUser) -> dict[str, object]:
    uploads = recent_uploads(user=user)
    return {
        "uploads": uploads,
        "pending": any(u.state in PENDING_STATES for u in uploads),
        "states": InboundState,
    }


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    user = _staff_user(request)
    if isinstance(user, HttpResponse):
        return user
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        files = request.FILES.getlist("files")
        if not files:
            form.add_error(None, _("Bitte mindestens eine Datei auswählen."))
        if form.is_valid():
            for upload in files:
                _report(
                    request,
                    take_upload(
                        upload=upload,
                        channel=form.cleaned_data["channel"],
                        user=user,
                        received_on=form.cleaned_data["received_on"],
                    ),
                )
            return HttpResponseRedirect(reverse("workspace:documents"))
        status = 400
    else:
        form = UploadForm()
        status = 200
    context = {
        "form": form,
        "max_mb": int(settings.KV_MAX_ATTACHMENT_BYTES) / 1e6,
        **_list_context(user),
    }
    return render(request, "workspace/documents.html", context, status=status)


@login_required
@require_GET
def documents_list(request: HttpRequest) -> HttpResponse:
    """The upload list alone, for htmx polling."""
    user = _staff_user(request)
    if isinstance(user, HttpResponse):
        return user
    return render(request, "workspace/documents_list.html", _list_context(user))


urlpatterns: list[URLPattern] = [
    path("posteingang/dokumente/", documents, name="documents"),
    path("posteingang/dokumente/liste/", documents_list, name="documents-list"),
]
