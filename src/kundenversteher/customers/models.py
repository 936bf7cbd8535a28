"""CRM core: organisations, customers and how to recognise them, contracts, products, stock,
orders and devices in the field.

Models hold data and invariants only; writes with side effects live in ``services.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from stdnum.eu import vat

from kundenversteher.lib.models import TimeStampedModel

CUSTOMER_NUMBER_RE = r"^KD-\d{6}$"
CONTRACT_NUMBER_RE = r"^WV-\d{6}$"
DEVICE_SERIAL_RE = r"^BW\d{10}$"


def validate_vat_id(value: str) -> None:
    """EU VAT identification number (USt-IdNr.), checked digit by digit with python-stdnum."""
    if not vat.is_valid(value):
        raise ValidationError(
            _("„%(value)s“ ist keine gültige USt-IdNr."),
            code="invalid_vat",
            params={"value": value},
        )


class Tier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")
    VIP = "vip", _("VIP")


class Organisation(TimeStampedModel):
    """A B2B customer company (installer, property manager, ...)."""

    name = models.CharField(_("Name"), max_length=200, db_index=True)
    vat_id = models.CharField(
        _("USt-IdNr."), max_length=20, blank=True, validators=[validate_vat_id]
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    country = models.CharField(_("Land"), max_length=2, default="DE")
    tier = models.CharField(
        _("Kundenstufe"), max_length=16, choices=Tier.choices, default=Tier.STANDARD
    )

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel):
    """A person the company serves: a home owner (B2C) or a contact at an organisation (B2B)."""

    class Kind(models.TextChoices):
        B2C = "b2c", _("Privatkunde")
        B2B = "b2b", _("Geschäftskunde")

    class Salutation(models.TextChoices):
        NONE = "", _("keine Angabe")
        MR = "herr", _("Herr")
        MS = "frau", _("Frau")
        DIVERSE = "divers", _("Divers")

    class Language(models.TextChoices):
        DE = "de", _("Deutsch")
        EN = "en", _("Englisch")

    kind = models.CharField(_("Art"), max_length=3, choices=Kind.choices, default=Kind.B2C)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("Organisation"),
    )
    salutation = models.CharField(
        _("Anrede"), max_length=8, choices=Salutation.choices, blank=True, default=""
    )
    first_name = models.CharField(_("Vorname"), max_length=100, blank=True)
    last_name = models.CharField(_("Nachname"), max_length=100, db_index=True)
    company_role = models.CharField(_("Funktion im Unternehmen"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("bevorzugte Sprache"), max_length=2, choices=Language.choices, default=Language.DE
    )
    tier = models.CharField(
        _("Kundenstufe"), max_length=16, choices=Tier.choices, default=Tier.STANDARD
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=10, blank=True, db_index=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    country = models.CharField(_("Land"), max_length=2, default="DE")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
        verbose_name=_("Portal-Zugang"),
    )
    # A merged duplicate stays as a row so that ids held elsewhere (cases, events) still resolve.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
        verbose_name=_("zusammengeführt in"),
    )
    erased_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kunde")
        verbose_name_plural = _("Kunden")
        ordering = ("last_name", "first_name", "id")
        indexes = (models.Index(fields=["last_name", "first_name"]),)

    def __str__(self) -> str:
        return self.display_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def display_name(self) -> str:
        if self.organisation_id is not None and self.kind == self.Kind.B2B:
            return f"{self.full_name} ({self.organisation})"
        return self.full_name


class CustomerIdentity(models.Model):
    """One way to recognise a customer. ``value`` is stored normalised (see ``identity.py``)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-Mail")
        PHONE = "phone", _("Telefon")
        CUSTOMER_NUMBER = "customer_number", _("Kundennummer")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identities", verbose_name=_("Kunde")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("Wert"), max_length=254)
    verified = models.BooleanField(pgettext_lazy("Kennung", "bestätigt"), default=False)
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Kundenkennung")
        verbose_name_plural = _("Kundenkennungen")
        ordering = ("kind", "id")
        constraints = (
            models.UniqueConstraint(fields=["kind", "value"], name="customers_identity_unique"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Contract(TimeStampedModel):
    class Type(models.TextChoices):
        MAINTENANCE = "maintenance", _("Wartungsvertrag")
        EXTENDED_WARRANTY = "extended_warranty", _("Garantieverlängerung")
        SERVICE_PLUS = "service_plus", _("Service Plus")
        SPARE_PARTS_SUBSCRIPTION = "spare_parts_subscription", _("Ersatzteil-Abo")

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktiv")
        NOTICE_GIVEN = "notice_given", _("gekündigt, läuft aus")
        ENDED = "ended", _("beendet")

    number = models.CharField(
        _("Vertragsnummer"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(CONTRACT_NUMBER_RE, _("Format: WV-123456"))],
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("Kunde")
    )
    type = models.CharField(_("Vertragsart"), max_length=32, choices=Type.choices)
    start = models.DateField(_("Beginn"))
    end = models.DateField(_("Ende"), null=True, blank=True)
    notice_period_days = models.PositiveIntegerField(_("Kündigungsfrist (Tage)"), default=90)
    auto_renew = models.BooleanField(_("verlängert sich automatisch"), default=True)
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    monthly_fee = models.DecimalField(
        _("Monatsbeitrag (EUR)"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("Vertrag")
        verbose_name_plural = _("Verträge")
        ordering = ("-start", "number")

    def __str__(self) -> str:
        return self.number


class Product(models.Model):
    class Category(models.TextChoices):
        HEAT_PUMP = "heat_pump", _("Wärmepumpe")
        BOILER = "boiler", _("Heizkessel")
        SPARE_PART = "spare_part", _("Ersatzteil")
        ACCESSORY = "accessory", _("Zubehör")
        SERVICE = "service", _("Dienstleistung")

    sku = models.CharField(_("Artikelnummer"), max_length=40, unique=True)
    name_de = models.CharField(_("Bezeichnung (deutsch)"), max_length=200)
    name_en = models.CharField(_("Bezeichnung (englisch)"), max_length=200, blank=True)
    category = models.CharField(_("Kategorie"), max_length=16, choices=Category.choices)
    price = models.DecimalField(
        _("Preis (EUR)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("Produkt")
        verbose_name_plural = _("Produkte")
        ordering = ("sku",)

    def __str__(self) -> str:
        return f"{self.sku} {self.name_de}"

    def name_for(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_de


class StockItem(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="stock", verbose_name=_("Produkt")
    )
    warehouse = models.CharField(_("Lager"), max_length=60, default="Hauptlager")
    quantity = models.PositiveIntegerField(_("Bestand"), default=0)
    restock_date = models.DateField(_("nächster Wareneingang"), null=True, blank=True)
    restock_quantity = models.PositiveIntegerField(_("Menge im Wareneingang"), default=0)

    class Meta:
        verbose_name = _("Lagerbestand")
        verbose_name_plural = _("Lagerbestände")
        constraints = (
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="customers_stock_product_warehouse"
            ),
        )

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse}: {self.quantity}"


class Order(TimeStampedModel):
    class Status(models.TextChoices):
        RECEIVED = "received", _("eingegangen")
        CONFIRMED = "confirmed", pgettext_lazy("Bestellstatus", "bestätigt")
        IN_PRODUCTION = "in_production", _("in Fertigung")
        SHIPPED = "shipped", _("versandt")
        DELIVERED = "delivered", _("zugestellt")
        CANCELLED = "cancelled", _("storniert")
        RETURNED = "returned", _("zurückgesandt")

    number = models.PositiveIntegerField(_("Bestellnummer"), unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("Kunde")
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    ordered_at = models.DateTimeField(_("bestellt am"))
    promised_date = models.DateField(_("zugesagter Liefertermin"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("versandt am"), null=True, blank=True)
    carrier = models.CharField(_("Versanddienstleister"), max_length=60, blank=True)
    tracking_number = models.CharField(_("Sendungsnummer"), max_length=60, blank=True)
    total = models.DecimalField(
        _("Gesamtbetrag (EUR)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("Bestellung")
        verbose_name_plural = _("Bestellungen")
        ordering = ("-ordered_at", "-number")
        indexes = (models.Index(fields=["customer", "-ordered_at"]),)

    def __str__(self) -> str:
        return str(self.number)


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("Bestellung")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("Produkt")
    )
    quantity = models.PositiveIntegerField(_("Menge"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("Einzelpreis (EUR)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("Bestellposition")
        verbose_name_plural = _("Bestellpositionen")
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.sku}"


class Device(TimeStampedModel):
    class Status(models.TextChoices):
        IN_OPERATION = "in_operation", _("in Betrieb")
        FAULT = "fault", _("Störung")
        IN_REPAIR = "in_repair", _("in Reparatur")
        DECOMMISSIONED = "decommissioned", _("außer Betrieb")

    serial = models.CharField(
        _("Seriennummer"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(DEVICE_SERIAL_RE, _("Format: BW1234567890"))],
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="devices", verbose_name=_("Modell")
    )
    owner = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="devices", verbose_name=_("Eigentümer")
    )
    street = models.CharField(_("Aufstellort: Straße"), max_length=200, blank=True)
    postcode = models.CharField(_("Aufstellort: PLZ"), max_length=10, blank=True, db_index=True)
    city = models.CharField(_("Aufstellort: Ort"), max_length=100, blank=True)
    location = models.CharField(_("Aufstellort im Gebäude"), max_length=100, blank=True)
    installed_on = models.DateField(_("installiert am"), null=True, blank=True)
    warranty_until = models.DateField(_("Garantie bis"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.IN_OPERATION
    )

    class Meta:
        verbose_name = _("Gerät")
        verbose_name_plural = _("Geräte")
        ordering = ("serial",)

    def __str__(self) -> str:
        return self.serial


INVOICE_NUMBER_RE = r"^RE-\d{4}-\d{6}$"
# German standard VAT rate; order prices are gross (what the shop shows), invoices show the split.
STANDARD_VAT_RATE = Decimal("19.00")


class Invoice(TimeStampedModel):
    """The invoice for one order. Its lines are the order's lines (orders are not edited later)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("Rechnungsstatus", "offen")
        PAID = "paid", pgettext_lazy("Rechnungsstatus", "bezahlt")

    number = models.CharField(
        _("Rechnungsnummer"),
        max_length=14,
        unique=True,
        validators=[RegexValidator(INVOICE_NUMBER_RE, _("Format: RE-2026-001234"))],
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("Bestellung")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("Kunde")
    )
    issued_on = models.DateField(_("Rechnungsdatum"))
    vat_rate = models.DecimalField(
        _("USt.-Satz (%)"), max_digits=5, decimal_places=2, default=STANDARD_VAT_RATE
    )
    net = models.DecimalField(_("Nettobetrag (EUR)"), max_digits=12, decimal_places=2)
    tax = models.DecimalField(_("Umsatzsteuer (EUR)"), max_digits=12, decimal_places=2)
    gross = models.DecimalField(_("Bruttobetrag (EUR)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("Status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    paid_on = models.DateField(_("bezahlt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Rechnung")
        verbose_name_plural = _("Rechnungen")
        ordering = ("-issued_on", "-number")
        indexes = (models.Index(fields=["customer", "-issued_on"]),)
        # No CHECK gross = net + tax: SQLite compares decimals as floats, so exact sums of cents
        # can fail there. services.split_gross guarantees the sum.

    def __str__(self) -> str:
        return self.number
