"""The public contact form: anyone may write, no account needed.

The form is one more intake channel: a valid submission becomes an RFC 822 message (so one
parser serves every text channel) stored by ``intake.services.receive``; the pipeline does the
rest and the acknowledgement with the case number goes out by mail. Protection: CSRF, a honeypot
field (bots get the normal thank-you page, nothing is stored, an event counts the rejection),
a per-address rate limit (429), and attachment limits.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kundenversteher.cases.models import Channel
from kundenversteher.intake.services import receive, reject_submission
from kundenversteher.portal.account import MultipleFileField, client_ip
from kundenversteher.portal.throttle import WindowLimit

logger = logging.getLogger(__name__)

MAX_FILES = 5
HONEYPOT_FIELD = "website"
# The form's own mailbox name in the stored message; replies go to the customer's address.
FORM_RECIPIENT = "kontaktformular@kundenversteher.invalid"


def contact_limit() -> WindowLimit:
    """Submissions per client address and hour (``KV_CONTACT_MAX_PER_HOUR``, default 5)."""
    return WindowLimit(
        scope="contact",
        max_hits=int(getattr(settings, "KV_CONTACT_MAX_PER_HOUR", 5)),
        window_seconds=3600,
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Ihr Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Ihre E-Mail-Adresse"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Telefon (optional)"), max_length=40, required=False)
    customer_number = forms.CharField(
        label=gettext_lazy("Kundennummer (optional)"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("z. B. KD-104711 – steht auf Ihrer Rechnung."),
    )
    subject = forms.CharField(label=gettext_lazy("Betreff"), max_length=200)
    message = forms.CharField(
        label=gettext_lazy("Ihre Nachricht"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Dateien anhängen (optional)"), required=False
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "Ich bin einverstanden, dass Brenner Wärmetechnik meine Angaben zur Bearbeitung "
            "meines Anliegens speichert."
        )
    )
    # Honeypot: hidden from people (and labelled "leave empty" for screen readers); bots fill it.
    website = forms.CharField(label=gettext_lazy("Bitte leer lassen"), required=False)

    def _one_line(self, name: str) -> str:
        # Header fields of the stored message: a line break would end the header.
        return " ".join(str(self.cleaned_data.get(name, "")).split())

    def clean_name(self) -> str:
        return self._one_line("name")

    def clean_subject(self) -> str:
        return self._one_line("subject")

    def clean_attachments(self) -> list[Any]:
        files: list[Any] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Bitte höchstens %(count)d Dateien anhängen.") % {"count": MAX_FILES}
            )
        limit = int(settings.KV_MAX_ATTACHMENT_BYTES)
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("„%(name)s“ ist zu groß (höchstens %(mb)d MB je Datei).")
                    % {"name": upload.name, "mb": limit // (1024 * 1024)}
                )
        return files


def build_message(data: dict[str, Any], *, language: str) -> bytes:
    """The submission as an RFC 822 message, as a mail from the customer would arrive."""
    mail = EmailMessage()
    mail["From"] = formataddr((data["name"], data["email"]))
    mail["To"] = FORM_RECIPIENT
    mail["Subject"] = data["subject"]
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="kontaktformular.kundenversteher.invalid")
    mail["Content-Language"] = language
    lines = [data["message"].strip()]
    extra = []
    if data.get("phone"):
        extra.append(f"{_('Telefon')}: {data['phone']}")
    if data.get("customer_number"):
        extra.append(f"{_('Kundennummer')}: {data['customer_number']}")
    if extra:
        lines += ["", "-- ", *extra]  # a signature block: the parser keeps it apart
    mail.set_content("\n".join(lines))
    for upload in data.get("attachments") or []:
        content = upload.read()
        maintype, _sep, subtype = (upload.content_type or "application/octet-stream").partition("/")
        mail.add_attachment(
            content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=upload.name,
        )
    return mail.as_bytes()


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/contact.html", {"form": ContactForm(), "nav": "contact"})
    form = ContactForm(request.POST, request.FILES)
    if not contact_limit().hit(client_ip(request)):
        return render(
            request,
            "portal/contact.html",
            {"form": form, "nav": "contact", "limited": True},
            status=429,
        )
    if request.POST.get(HONEYPOT_FIELD):
        # Pretend success so the bot learns nothing; keep a trace without personal data.
        reject_submission(channel=Channel.WEB_FORM, source="webform", reason="honeypot")
        logger.info("contact form: honeypot filled, submission discarded")
        return redirect("portal:contact_thanks")
    if not form.is_valid():
        return render(request, "portal/contact.html", {"form": form, "nav": "contact"}, status=400)
    language = (get_language() or "de")[:2]
    data = form.cleaned_data
    receive(
        channel=Channel.WEB_FORM,
        raw=build_message(data, language=language),
        source="webform",
        meta={
            "name": data["name"],
            "phone": data.get("phone") or "",
            "customer_number": data.get("customer_number") or "",
            "language": language,
            "consent": True,
        },
    )
    return redirect("portal:contact_thanks")


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/contact_thanks.html", {"nav": "contact"})


urlpatterns: list[URLPattern] = [
    path("kontakt/", contact, name="contact"),
    path("kontakt/danke/", contact_thanks, name="contact_thanks"),
]
