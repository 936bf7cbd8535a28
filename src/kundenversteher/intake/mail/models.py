"""Mailboxes (credentials encrypted), their IMAP sync state, and the outbound mail queue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kundenversteher.cases.models import Case
from kundenversteher.lib.models import TimeStampedModel


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (implizit)")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("unverschlüsselt (nur lokal)")


def _default_folders() -> list[str]:
    return ["INBOX"]


class Mailbox(TimeStampedModel):
    """One customer-service address: IMAP to read it, SMTP to answer from it.

    Passwords are stored Fernet-encrypted (``intake.mail.crypto``); the admin never shows them.
    """

    class AfterImport(models.TextChoices):
        SEEN = "seen", _("als gelesen markieren")
        MOVE = "move", _("in einen Ordner verschieben")

    name = models.CharField(_("Name"), max_length=100, unique=True)
    email_address = models.EmailField(_("E-Mail-Adresse"))
    active = models.BooleanField(_("aktiv"), default=True)

    imap_host = models.CharField(_("IMAP-Server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP-Port"), default=993)
    imap_security = models.CharField(
        _("IMAP-Verschlüsselung"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    imap_username = models.CharField(_("IMAP-Benutzername"), max_length=255, blank=True)
    imap_password_encrypted = models.TextField(_("IMAP-Passwort (verschlüsselt)"), blank=True)
    folders = models.JSONField(_("Ordner"), default=_default_folders)
    after_import = models.CharField(
        _("nach dem Import"), max_length=8, choices=AfterImport.choices, default=AfterImport.SEEN
    )
    move_to_folder = models.CharField(
        _("Zielordner nach dem Import"), max_length=200, blank=True, default="Verarbeitet"
    )
    use_idle = models.BooleanField(
        _("IMAP IDLE verwenden"),
        default=True,
        help_text=_("Neue Mails sofort abholen (Prozess kv_mailwatch), sonst nur periodisch."),
    )

    smtp_host = models.CharField(_("SMTP-Server"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP-Port"), default=587)
    smtp_security = models.CharField(
        _("SMTP-Verschlüsselung"),
        max_length=10,
        choices=Security.choices,
        default=Security.STARTTLS,
    )
    smtp_username = models.CharField(_("SMTP-Benutzername"), max_length=255, blank=True)
    smtp_password_encrypted = models.TextField(_("SMTP-Passwort (verschlüsselt)"), blank=True)
    is_default_outbound = models.BooleanField(
        _("Standard-Absender"),
        default=False,
        help_text=_("Antworten auf Anliegen, die nicht per E-Mail kamen, gehen von hier aus."),
    )
    send_acknowledgement = models.BooleanField(_("Eingangsbestätigung senden"), default=False)

    # Lease instead of a held row lock: polling does network I/O for seconds, and the IDLE
    # watcher and the periodic poll may both try at once.
    poll_lease_until = models.DateTimeField(_("Abruf gesperrt bis"), null=True, blank=True)
    last_polled_at = models.DateTimeField(_("zuletzt abgerufen"), null=True, blank=True)
    last_error = models.TextField(_("letzter Fehler"), blank=True)

    class Meta:
        verbose_name = _("Postfach")
        verbose_name_plural = _("Postfächer")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email_address}>"


class FolderState(models.Model):
    """How far one IMAP folder has been read: UIDs are only comparable within one UIDVALIDITY."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="folder_states", verbose_name=_("Postfach")
    )
    folder = models.CharField(_("Ordner"), max_length=200)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(_("letzte UID"), default=0)
    last_synced_at = models.DateTimeField(_("zuletzt abgeglichen"), null=True, blank=True)
    full_resyncs = models.PositiveIntegerField(_("vollständige Neuabgleiche"), default=0)

    class Meta:
        verbose_name = _("Ordnerstand")
        verbose_name_plural = _("Ordnerstände")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "folder"], name="kv_mail_folder_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}/{self.folder} ({self.uidvalidity}:{self.last_uid})"


class ReceivedMail(models.Model):
    """One fetched IMAP message (or SMTP delivery) and the inbound row it was stored as.

    ``marked_at`` stays empty until the message was flagged \\Seen or moved on the server; a
    poll interrupted after the commit finishes the marking on its next run.
    """

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="received", verbose_name=_("Postfach")
    )
    folder = models.CharField(_("Ordner"), max_length=200, blank=True)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    uid = models.BigIntegerField(_("UID"), null=True, blank=True)
    inbound_id = models.BigIntegerField(_("Eingangsnachricht"), db_index=True)
    duplicate = models.BooleanField(_("Dublette"), default=False)
    received_at = models.DateTimeField(_("abgerufen am"), auto_now_add=True)
    marked_at = models.DateTimeField(_("markiert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("abgerufene E-Mail")
        verbose_name_plural = _("abgerufene E-Mails")
        indexes = [models.Index(fields=["mailbox", "folder", "marked_at"])]

    def __str__(self) -> str:
        return f"{self.mailbox_id}/{self.folder}/{self.uid} → {self.inbound_id}"


class OutboundMail(TimeStampedModel):
    """A mail waiting to go out by SMTP. The row is the truth; tasks only nudge it.

    ``dedupe_key`` ("reply:<case message id>", "ack:<inbound id>") makes queuing idempotent;
    the state moves queued → sending (claimed by a conditional UPDATE) → sent | failed.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("Antwort")
        ACKNOWLEDGEMENT = "ack", _("Eingangsbestätigung")

    class State(models.TextChoices):
        QUEUED = "queued", _("wartet")
        SENDING = "sending", _("wird gesendet")
        SENT = "sent", _("gesendet")
        FAILED = "failed", _("fehlgeschlagen")
        SKIPPED = "skipped", _("nicht gesendet")

    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices)
    dedupe_key = models.CharField(_("Schlüssel"), max_length=100, unique=True)
    state = models.CharField(
        _("Status"), max_length=8, choices=State.choices, default=State.QUEUED, db_index=True
    )
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, related_name="outbound", verbose_name=_("Postfach")
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Anliegen"),
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_address = models.CharField(_("Von"), max_length=255)
    to_address = models.CharField(_("An"), max_length=255)
    subject = models.CharField(_("Betreff"), max_length=500)
    body_text = models.TextField(_("Text"))
    headers = models.JSONField(_("zusätzliche Kopfzeilen"), default=dict, blank=True)
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    next_attempt_at = models.DateTimeField(_("nächster Versuch"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("übernommen am"), null=True, blank=True)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    sent_at = models.DateTimeField(_("gesendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("ausgehende E-Mail")
        verbose_name_plural = _("ausgehende E-Mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_address}: {self.subject}"
