"""Cases (Anliegen), their messages and attachments, teams/agents, calendars, SLA and routing.

Models hold data and invariants only; every workflow write goes through ``services.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kundenversteher.cases.calendars import CalendarSpec, parse_weekly_hours
from kundenversteher.cases.states import Status
from kundenversteher.lib.models import TimeStampedModel

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SUPERVISOR = "supervisor", _("Teamleitung")
    AGENT = "agent", _("Sachbearbeitung")


class Priority(models.TextChoices):
    LOW = "low", _("niedrig")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("hoch")
    URGENT = "urgent", _("dringend")


PRIORITY_ORDER: tuple[str, ...] = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-Mail")
    LETTER = "letter", _("Brief")
    FAX = "fax", _("Fax")
    WEB_FORM = "web_form", _("Webformular")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Soziale Medien")
    API = "api", _("API")
    PHONE = "phone", _("Telefon")
    DEVICE = "device", _("Gerätemeldung")


STATUS_CHOICES = [
    (Status.NEW.value, _("neu")),
    (Status.OPEN.value, _("offen")),
    (Status.WAITING_CUSTOMER.value, _("wartet auf Kunde")),
    (Status.WAITING_THIRD_PARTY.value, _("wartet auf Dritte")),
    (Status.RESOLVED.value, _("gelöst")),
    (Status.CLOSED.value, _("geschlossen")),
]


def _default_weekly_hours() -> dict[str, list[list[str]]]:
    return {str(day): [["08:00", "17:00"]] for day in range(5)}


class BusinessCalendar(models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    timezone = models.CharField(_("Zeitzone"), max_length=64, default="Europe/Berlin")
    subdivision = models.CharField(
        _("Bundesland (Kürzel)"),
        max_length=3,
        blank=True,
        help_text=_("Für gesetzliche Feiertage, z. B. BY für Bayern; leer = nur bundesweite."),
    )
    weekly_hours = models.JSONField(
        _("Öffnungszeiten je Wochentag"),
        default=_default_weekly_hours,
        help_text=_('Montag = 0: {"0": [["08:00", "17:00"]], …}'),
    )

    class Meta:
        verbose_name = _("Geschäftskalender")
        verbose_name_plural = _("Geschäftskalender")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        try:
            parse_weekly_hours(self.weekly_hours)
        except (ValueError, TypeError, IndexError, AttributeError) as exc:
            raise ValidationError({"weekly_hours": str(exc)}) from exc

    def spec(self) -> CalendarSpec:
        return CalendarSpec(
            timezone=self.timezone,
            subdiv=self.subdivision,
            weekly=parse_weekly_hours(self.weekly_hours),
            closed_days=frozenset(self.closed_days.values_list("day", flat=True)),
        )


class ClosedDay(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="closed_days",
        verbose_name=_("Geschäftskalender"),
    )
    day = models.DateField(_("Tag"))
    reason = models.CharField(_("Grund"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Schließtag")
        verbose_name_plural = _("Schließtage")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="cases_closedday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.reason}"


class Team(models.Model):
    class AssignmentMode(models.TextChoices):
        LEAST_LOAD = "least_load", _("geringste Auslastung")
        ROUND_ROBIN = "round_robin", _("reihum")

    name = models.CharField(_("Name"), max_length=100, unique=True)
    slug = models.SlugField(_("Kürzel"), max_length=50, unique=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    restricted = models.BooleanField(
        _("vertraulich"),
        default=False,
        help_text=_("Nur Mitglieder sehen die Anliegen dieses Teams."),
    )
    is_default = models.BooleanField(
        _("Standardteam"), default=False, help_text=_("Erhält Anliegen, auf die keine Regel passt.")
    )
    assignment_mode = models.CharField(
        _("Zuweisung"),
        max_length=16,
        choices=AssignmentMode.choices,
        default=AssignmentMode.LEAST_LOAD,
    )

    class Meta:
        verbose_name = _("Team")
        verbose_name_plural = _("Teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    name = models.CharField(
        _("Name"),
        max_length=64,
        unique=True,
        help_text=_("Gleich der Anliegen-Kennung, z. B. invoice_copy."),
    )

    class Meta:
        verbose_name = _("Fähigkeit")
        verbose_name_plural = _("Fähigkeiten")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_profile",
        verbose_name=_("Benutzer"),
    )
    role = models.CharField(_("Rolle"), max_length=16, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("Teams")
    )
    skills: models.ManyToManyField[Skill, AgentSkill] = models.ManyToManyField(
        Skill,
        through="AgentSkill",
        blank=True,
        related_name="agents",
        verbose_name=_("Fähigkeiten"),
    )
    languages = models.JSONField(
        _("Sprachen"), default=list, blank=True, help_text=_('ISO-Codes, z. B. ["de", "en"]')
    )
    capacity = models.PositiveIntegerField(_("max. offene Anliegen"), default=20)
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Arbeitszeitkalender"),
    )
    absent_until = models.DateTimeField(_("abwesend bis"), null=True, blank=True)
    last_assigned_at = models.DateTimeField(_("zuletzt zugewiesen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Mitarbeiterprofil")
        verbose_name_plural = _("Mitarbeiterprofile")

    def __str__(self) -> str:
        return str(self.user)


class AgentSkill(models.Model):
    agent = models.ForeignKey(
        AgentProfile,
        on_delete=models.CASCADE,
        related_name="agent_skills",
        verbose_name=_("Mitarbeiterprofil"),
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="agent_skills", verbose_name=_("Fähigkeit")
    )
    level = models.PositiveSmallIntegerField(
        _("Stufe"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("Fähigkeit eines Mitarbeiters")
        verbose_name_plural = _("Fähigkeiten der Mitarbeiter")
        constraints = [
            models.UniqueConstraint(fields=["agent", "skill"], name="cases_agentskill_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="cases_agentskill_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.skill} {self.level}"


class SLAPolicy(models.Model):
    """Response and resolution targets, in business minutes of the policy's calendar.

    The most specific active policy wins: matching priority and tier beat blank (= any).
    """

    name = models.CharField(_("Name"), max_length=100, unique=True)
    active = models.BooleanField(_("aktiv"), default=True)
    priority = models.CharField(
        _("Priorität"),
        max_length=8,
        choices=Priority.choices,
        blank=True,
        help_text=_("leer = alle"),
    )
    customer_tier = models.CharField(
        _("Kundenstufe"), max_length=16, blank=True, help_text=_("leer = alle")
    )
    first_response_minutes = models.PositiveIntegerField(_("Erstreaktion (Minuten)"))
    next_response_minutes = models.PositiveIntegerField(_("Folgereaktion (Minuten)"))
    resolution_minutes = models.PositiveIntegerField(_("Lösung (Minuten)"))
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="sla_policies",
        verbose_name=_("Geschäftskalender"),
    )

    class Meta:
        verbose_name = _("SLA-Richtlinie")
        verbose_name_plural = _("SLA-Richtlinien")

    def __str__(self) -> str:
        return self.name


class CaseNumberCounter(models.Model):
    """One row per year; incremented by a conditional UPDATE that locks it (see numbering)."""

    year = models.PositiveIntegerField(primary_key=True, verbose_name=_("Jahr"))
    last_value = models.PositiveIntegerField(default=0, verbose_name=_("zuletzt vergebene Nummer"))

    class Meta:
        verbose_name = _("Vorgangsnummernzähler")
        verbose_name_plural = _("Vorgangsnummernzähler")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class CaseQuerySet(models.QuerySet["Case"]):
    def active(self) -> CaseQuerySet:
        return self.filter(
            status__in=[
                Status.NEW,
                Status.OPEN,
                Status.WAITING_CUSTOMER,
                Status.WAITING_THIRD_PARTY,
            ]
        )

    def visible_to(self, user: AbstractBaseUser | AnonymousUser | None) -> CaseQuerySet:
        # access.py builds on these models (roles, teams), so it is imported at call time.
        from kundenversteher.cases.access import visibility_filter

        return visibility_filter(self, user)


class Case(TimeStampedModel):
    number = models.CharField(_("Vorgangsnummer"), max_length=20, unique=True)
    subject = models.CharField(_("Betreff"), max_length=300)
    status = models.CharField(
        _("Status"), max_length=24, choices=STATUS_CHOICES, default=Status.NEW.value, db_index=True
    )
    priority = models.CharField(
        _("Priorität"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("Eingangskanal"), max_length=16, choices=Channel.choices)
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    intent = models.CharField(_("Anliegen-Art"), max_length=64, blank=True, db_index=True)
    intent_confidence = models.FloatField(_("Sicherheit der Erkennung"), null=True, blank=True)
    sentiment = models.CharField(_("Stimmung"), max_length=16, blank=True)
    urgency = models.CharField(_("Dringlichkeit"), max_length=16, blank=True)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("Team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("bearbeitet von"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("Kunde"),
    )
    # When the concern reached us (a letter's receipt, a mail's arrival): the SLA start. May be
    # earlier than created_at when intake processes a backlog.
    received_at = models.DateTimeField(_("eingegangen am"), default=timezone.now)
    tags = models.JSONField(_("Schlagwörter"), default=list, blank=True)
    sla_policy = models.ForeignKey(
        SLAPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("SLA-Richtlinie"),
    )
    first_response_due = models.DateTimeField(_("Erstreaktion fällig"), null=True, blank=True)
    next_response_due = models.DateTimeField(_("Folgereaktion fällig"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("Lösung fällig"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA angehalten seit"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(_("SLA angehalten (Sekunden)"), default=0)
    first_responded_at = models.DateTimeField(_("erste Antwort am"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("gelöst am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("geschlossen am"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("eskaliert am"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name=_("zusammengeführt in"),
    )
    # Optimistic concurrency: every service write bumps it; writers that read earlier pass the
    # version they saw and lose with ConcurrentUpdate if someone else wrote first.
    version = models.PositiveIntegerField(_("Version"), default=1)

    objects: ClassVar[CaseQuerySet] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = pgettext_lazy("ein Anliegen", "Anliegen")
        verbose_name_plural = pgettext_lazy("mehrere Anliegen", "Anliegen")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "team"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["resolution_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class CaseLink(models.Model):
    class Kind(models.TextChoices):
        RELATED = "related", _("verwandt")
        DUPLICATE = "duplicate", _("Duplikat")
        PARENT = "parent", _("übergeordnet")

    from_case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="links_from", verbose_name=_("von Anliegen")
    )
    to_case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="links_to", verbose_name=_("zu Anliegen")
    )
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Verknüpfung")
        verbose_name_plural = _("Verknüpfungen")
        constraints = [
            models.UniqueConstraint(
                fields=["from_case", "to_case", "kind"], name="cases_caselink_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} {self.kind} {self.to_case_id}"


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("eingehend")
        OUTBOUND = "outbound", _("ausgehend")
        NOTE = "note", _("interne Notiz")

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=pgettext_lazy("ein Anliegen", "Anliegen"),
    )
    direction = models.CharField(_("Richtung"), max_length=10, choices=Direction.choices)
    channel = models.CharField(_("Kanal"), max_length=16, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Autor"),
    )
    author_label = models.CharField(_("Absender"), max_length=200, blank=True)
    body_text = models.TextField(_("Text"), blank=True)
    body_html = models.TextField(_("HTML (bereinigt)"), blank=True)
    # Id of the stored raw original in a higher layer (e.g. intake.InboundMessage), not an FK.
    raw_ref = models.CharField(_("Original-Referenz"), max_length=100, blank=True)
    # What the intelligence core understood of an inbound message (intelligence.serialise
    # .understanding_to_dict), kept with the message so the case view shows it and a correction
    # can refer to it. Empty for agent messages and notes.
    understanding = models.JSONField(_("Erkanntes"), default=dict, blank=True)
    # How intake identified the customer: {"method", "confidence", "reason", "customer_id"}.
    identity = models.JSONField(_("Kundenerkennung"), default=dict, blank=True)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="case_mentions",
        verbose_name=_("erwähnt"),
    )
    created_at = models.DateTimeField(_("erstellt am"), db_index=True)

    class Meta:
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: user-supplied names never reach the file system.
    return f"cases/attachments/{instance.sha256[:2]}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("Nachricht")
    )
    file = models.FileField(_("Datei"), upload_to=attachment_path, max_length=255)
    original_filename = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(_("Inhaltstyp (erkannt)"), max_length=100)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")

    def __str__(self) -> str:
        return self.original_filename


class RoutingRule(models.Model):
    """First active rule (by ``order``) whose every non-empty condition matches wins."""

    name = models.CharField(_("Name"), max_length=100)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=100)
    active = models.BooleanField(_("aktiv"), default=True)
    intents = models.JSONField(_("Anliegen-Arten"), default=list, blank=True)
    channels = models.JSONField(_("Kanäle"), default=list, blank=True)
    languages = models.JSONField(_("Sprachen"), default=list, blank=True)
    customer_tiers = models.JSONField(_("Kundenstufen"), default=list, blank=True)
    keywords = models.JSONField(_("Stichwörter"), default=list, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("Team")
    )
    set_priority = models.CharField(
        _("Priorität setzen"), max_length=8, choices=Priority.choices, blank=True
    )
    add_tag = models.CharField(_("Schlagwort setzen"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("Zuweisungsregel")
        verbose_name_plural = _("Zuweisungsregeln")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class RoutingDecision(models.Model):
    """Why a case landed where it did ("Warum liegt das bei mir?")."""

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="routing_decisions",
        verbose_name=pgettext_lazy("ein Anliegen", "Anliegen"),
    )
    rule = models.ForeignKey(
        RoutingRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Regel"),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Team"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Bearbeiter"),
    )
    # [{"code": "rule_matched", "text": "Regel »Rechnungen« passte: …"}, …]
    reasons = models.JSONField(_("Gründe"), default=list)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Zuweisungsentscheidung")
        verbose_name_plural = _("Zuweisungsentscheidungen")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.team_id}/{self.agent_id}"

    @property
    def reason_texts(self) -> list[str]:
        return [str(r.get("text", "")) for r in self.reasons]


class SLAAlert(models.Model):
    """One row per (case, clock, kind, due): the unique key makes check_sla idempotent."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warnung")
        BREACH = "breach", _("Verletzung")

    class Clock(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("Erstreaktion")
        NEXT_RESPONSE = "next_response", _("Folgereaktion")
        RESOLUTION = "resolution", _("Lösung")

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="sla_alerts",
        verbose_name=pgettext_lazy("ein Anliegen", "Anliegen"),
    )
    clock = models.CharField(max_length=16, choices=Clock.choices, verbose_name=_("Uhr"))
    kind = models.CharField(max_length=8, choices=Kind.choices, verbose_name=_("Art"))
    due_at = models.DateTimeField(verbose_name=_("fällig am"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("erstellt am"))

    class Meta:
        verbose_name = _("SLA-Meldung")
        verbose_name_plural = _("SLA-Meldungen")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clock", "kind", "due_at"], name="cases_slaalert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.clock} {self.kind}"


class UnderstandingCorrection(models.Model):
    """An agent's correction of what the platform understood: training data for the tenant's model.

    ``text`` is the message text the correction refers to (copied, because training must not
    depend on later edits); erasure of the customer deletes these rows with the case.
    """

    class Field(models.TextChoices):
        INTENT = "intent", _("Anliegen-Art")
        SENTIMENT = "sentiment", _("Stimmung")
        URGENCY = "urgency", _("Dringlichkeit")

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="corrections",
        verbose_name=pgettext_lazy("ein Anliegen", "Anliegen"),
    )
    message = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Nachricht"),
    )
    field = models.CharField(_("Merkmal"), max_length=16, choices=Field.choices)
    old_value = models.CharField(_("bisher"), max_length=64, blank=True)
    new_value = models.CharField(_("korrigiert"), max_length=64)
    language = models.CharField(_("Sprache"), max_length=8, blank=True)
    text = models.TextField(_("Text"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("korrigiert von"),
    )
    created_at = models.DateTimeField(_("erstellt am"), default=timezone.now)

    class Meta:
        verbose_name = _("Korrektur")
        verbose_name_plural = _("Korrekturen")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class Macro(models.Model):
    """A reply template for agents, per language, with ``{{ variables }}`` (see cases.macros)."""

    name = models.CharField(_("Name"), max_length=100)
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    body = models.TextField(_("Text"))
    set_status = models.CharField(
        _("Status setzen"), max_length=24, choices=STATUS_CHOICES, blank=True
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        verbose_name=_("nur für Team"),
    )
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Textbaustein")
        verbose_name_plural = _("Textbausteine")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="macro_name_language_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
