"""Admin: mailboxes (passwords write-only, "Verbindung testen"), sync state, outbound queue.

Configuration changes are audited (``AuditedModelAdmin``; password fields are masked in the
log). The outbound queue is read-only apart from "Erneut senden", which calls a service.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kundenversteher.intake.mail import crypto, imap, outbound, services
from kundenversteher.intake.mail.models import FolderState, Mailbox, OutboundMail, ReceivedMail
from kundenversteher.privacy.audit import AuditedModelAdmin, audit_instance
from kundenversteher.privacy.models import AuditEntry

_KEEP = _("Leer lassen, um das gespeicherte Passwort zu behalten.")


class MailboxForm(forms.ModelForm[Mailbox]):
    """Passwords can be set but never read back: the field is always rendered empty."""

    imap_password = forms.CharField(
        label=_("IMAP-Passwort"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_KEEP,
    )
    smtp_password = forms.CharField(
        label=_("SMTP-Passwort"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_KEEP,
    )

    class Meta:
        model = Mailbox
        # Never the encrypted columns: the form must not even echo the ciphertext.
        fields = (
            "name",
            "email_address",
            "active",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_username",
            "folders",
            "after_import",
            "move_to_folder",
            "use_idle",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "is_default_outbound",
            "send_acknowledgement",
        )

    def clean_folders(self) -> list[str]:
        folders = self.cleaned_data.get("folders") or []
        if not isinstance(folders, list) or not all(isinstance(f, str) and f for f in folders):
            raise forms.ValidationError(_('Bitte eine Liste von Ordnernamen, z. B. ["INBOX"].'))
        return folders


class FolderStateInline(admin.TabularInline[FolderState, Mailbox]):
    model = FolderState
    extra = 0
    can_delete = False
    readonly_fields = ("folder", "uidvalidity", "last_uid", "last_synced_at", "full_resyncs")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Mailbox)
class MailboxAdmin(AuditedModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = (
        "name",
        "email_address",
        "active",
        "imap_host",
        "use_idle",
        "send_acknowledgement",
        "last_polled_at",
        "has_error",
    )
    list_filter = ("active", "use_idle", "send_acknowledgement")
    search_fields = ("name", "email_address", "imap_host")
    readonly_fields = ("last_polled_at", "last_error")
    inlines = (FolderStateInline,)
    actions = ("test_connection",)
    fieldsets = (
        (None, {"fields": ("name", "email_address", "active")}),
        (
            _("Empfang (IMAP)"),
            {
                "fields": (
                    "imap_host",
                    "imap_port",
                    "imap_security",
                    "imap_username",
                    "imap_password",
                    "folders",
                    "after_import",
                    "move_to_folder",
                    "use_idle",
                )
            },
        ),
        (
            _("Versand (SMTP)"),
            {
                "fields": (
                    "smtp_host",
                    "smtp_port",
                    "smtp_security",
                    "smtp_username",
                    "smtp_password",
                    "is_default_outbound",
                    "send_acknowledgement",
                )
            },
        ),
        (_("Zustand"), {"fields": ("last_polled_at", "last_error")}),
    )

    @admin.display(boolean=True, description=_("Fehler"))
    def has_error(self, obj: Mailbox) -> bool:
        return bool(obj.last_error)

    def save_model(
        self, request: HttpRequest, obj: Mailbox, form: forms.ModelForm[Mailbox], change: bool
    ) -> None:
        # Encrypted before the audited save, so the audit diff sees (masked) that it changed.
        for field, target in (
            ("imap_password", "imap_password_encrypted"),
            ("smtp_password", "smtp_password_encrypted"),
        ):
            value = form.cleaned_data.get(field)
            if value:
                setattr(obj, target, crypto.encrypt(value))
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Verbindung testen"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            results: list[str] = []
            ok = True
            if mailbox.imap_host:
                try:
                    results.append(imap.test_connection(mailbox))
                except imap.MailboxUnavailableError as exc:
                    ok = False
                    results.append(gettext("IMAP-Fehler: %(error)s") % {"error": exc})
            if mailbox.smtp_host:
                try:
                    results.append(outbound.test_smtp(mailbox))
                except (OSError, smtplib.SMTPException, crypto.CredentialError) as exc:
                    ok = False
                    results.append(gettext("SMTP-Fehler: %(error)s") % {"error": exc})
            detail = "; ".join(results) or gettext("Weder IMAP noch SMTP eingerichtet.")
            services.record_connection_test(
                mailbox_id=mailbox.pk, by=request.user, ok=ok, detail=detail
            )
            audit_instance(
                actor=request.user,
                action=AuditEntry.Action.CHANGE,
                instance=mailbox,
                changes={"connection_test": [None, "ok" if ok else "failed"]},
            )
            self.message_user(
                request,
                f"{mailbox.name}: {detail}",
                level=messages.SUCCESS if ok else messages.ERROR,
            )


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin[OutboundMail]):
    list_display = ("created_at", "kind", "state", "to_address", "subject", "attempts", "sent_at")
    list_filter = ("state", "kind", "mailbox")
    search_fields = ("to_address", "subject", "message_id")
    readonly_fields = [f.name for f in OutboundMail._meta.fields]
    actions = ("requeue",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Erneut senden"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboundMail]) -> None:
        count = sum(
            services.requeue_outbound(outbound_id=mail.pk, by=request.user) for mail in queryset
        )
        self.message_user(
            request, gettext("%(count)d E-Mail(s) erneut eingereiht.") % {"count": count}
        )


@admin.register(ReceivedMail)
class ReceivedMailAdmin(admin.ModelAdmin[ReceivedMail]):
    list_display = (
        "received_at",
        "mailbox",
        "folder",
        "uid",
        "inbound_id",
        "duplicate",
        "marked_at",
    )
    list_filter = ("mailbox", "duplicate")
    readonly_fields = [f.name for f in ReceivedMail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
