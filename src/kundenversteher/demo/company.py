"""The fixed facts of the demo company Brenner Wärmetechnik GmbH (no I/O here).

Everything a demo or a test refers to by name lives here: teams, logins, products, routing, the
known customer Clara Schmidt with order 4711. All e-mail domains are example.de/.com and all
phone numbers come from 030 23125 xxx, the range reserved for fiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Printed by `make run`; only demo databases have it (production never loads the demo).
DEMO_PASSWORD = "demo-passwort-2026"  # noqa: S105
COMPANY_NAME = "Brenner Wärmetechnik GmbH"
CALENDAR_NAME = "Brenner Bayern"
# Europe/Berlin business hours, Monday = 0; Friday ends early as in many Mittelstand firms.
WEEKLY_HOURS: dict[str, list[list[str]]] = {
    **{str(day): [["08:00", "17:00"]] for day in range(4)},
    "4": [["08:00", "14:00"]],
}
CLOSED_DAYS: tuple[tuple[str, str], ...] = (
    ("2026-12-24", "Heiligabend"),
    ("2026-12-31", "Silvester"),
)


@dataclass(frozen=True, slots=True)
class TeamSpec:
    name: str
    slug: str
    email: str
    restricted: bool = False
    is_default: bool = False


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        "Kundenservice",
        "kundenservice",
        "service@brenner-waermetechnik.example.de",
        is_default=True,
    ),
    TeamSpec("Technik/Störungen", "technik", "technik@brenner-waermetechnik.example.de"),
    TeamSpec(
        "Buchhaltung",
        "buchhaltung",
        "buchhaltung@brenner-waermetechnik.example.de",
        restricted=True,
    ),
    TeamSpec("Vertrieb/Ersatzteile", "vertrieb", "vertrieb@brenner-waermetechnik.example.de"),
)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    name: str
    order: int
    team_slug: str
    intents: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    set_priority: str = ""
    add_tag: str = ""


ROUTING_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("Rechtliche Drohung", 10, "kundenservice",
             keywords=("anwalt", "rechtliche schritte", "verbraucherzentrale", "lawyer",
                       "legal action"),
             set_priority="urgent", add_tag="rechtlich"),
    RuleSpec("Störungen", 20, "technik", intents=("device_fault",), set_priority="high",
             add_tag="störung"),
    RuleSpec("Reparatur und Wartung", 30, "technik",
             intents=("repair_status", "maintenance_appointment")),
    RuleSpec("Rechnungen und Zahlungen", 40, "buchhaltung",
             intents=("invoice_copy", "payment_issue")),
    RuleSpec("Bestellungen und Ersatzteile", 50, "vertrieb",
             intents=("order_status", "delivery_date", "order_cancellation", "return_refund",
                      "product_info")),
    RuleSpec("Beschwerden", 60, "kundenservice", intents=("complaint",), set_priority="high",
             add_tag="beschwerde"),
    RuleSpec("Verträge und Konto", 70, "kundenservice",
             intents=("contract_info", "contract_cancellation", "password_reset",
                      "address_change")),
)  # fmt: skip

# First-response minutes by priority (business minutes); faster for better tiers.
SLA_FIRST_RESPONSE = {"low": 960, "normal": 480, "high": 120, "urgent": 30}
SLA_TIER_FACTOR = {"standard": Decimal(1), "premium": Decimal("0.5"), "vip": Decimal("0.25")}


@dataclass(frozen=True, slots=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str  # admin | supervisor | agent
    teams: tuple[str, ...]
    languages: tuple[str, ...]
    skills: tuple[tuple[str, int], ...] = ()
    capacity: int = 30


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", "Alex", "Admin", "admin", (), ("de", "en")),
    StaffSpec("sabine", "Sabine", "Hartl", "supervisor", ("kundenservice", "technik", "vertrieb"),
              ("de", "en"), (("complaint", 5), ("contract_cancellation", 4))),
    StaffSpec("anna", "Anna", "Berger", "agent", ("kundenservice",), ("de", "en"),
              (("password_reset", 4), ("address_change", 4), ("contract_info", 4),
               ("complaint", 3), ("contract_cancellation", 3))),
    StaffSpec("ben", "Ben", "Koch", "agent", ("kundenservice", "vertrieb"), ("de",),
              (("order_status", 4), ("delivery_date", 4), ("order_cancellation", 4),
               ("return_refund", 3), ("product_info", 3))),
    StaffSpec("grace", "Grace", "Miller", "agent", ("vertrieb", "kundenservice"), ("en", "de"),
              (("product_info", 5), ("order_status", 3), ("return_refund", 4))),
    StaffSpec("david", "David", "Yilmaz", "agent", ("technik",), ("de", "en"),
              (("device_fault", 5), ("repair_status", 4), ("maintenance_appointment", 3))),
    StaffSpec("eva", "Eva", "Lindner", "agent", ("technik",), ("de",),
              (("device_fault", 3), ("maintenance_appointment", 5), ("repair_status", 3))),
    StaffSpec("frank", "Frank", "Roth", "agent", ("buchhaltung",), ("de", "en"),
              (("invoice_copy", 5), ("payment_issue", 5))),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProductSpec:
    sku: str
    name_de: str
    name_en: str
    category: str
    price: Decimal


PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        "BW-AT8", "Brenner AeroTherm 8", "Brenner AeroTherm 8", "heat_pump", Decimal("11990.00")
    ),
    ProductSpec(
        "BW-AT12", "Brenner AeroTherm 12", "Brenner AeroTherm 12", "heat_pump", Decimal("14490.00")
    ),
    ProductSpec(
        "BW-GT12", "Brenner GeoTherm 12", "Brenner GeoTherm 12", "heat_pump", Decimal("18900.00")
    ),
    ProductSpec(
        "BW-GT16", "Brenner GeoTherm 16", "Brenner GeoTherm 16", "heat_pump", Decimal("22400.00")
    ),
    ProductSpec(
        "BW-CP24",
        "Brenner CondensPro 24 Gas-Brennwertkessel",
        "Brenner CondensPro 24 gas condensing boiler",
        "boiler",
        Decimal("4290.00"),
    ),
    ProductSpec(
        "BW-CP35",
        "Brenner CondensPro 35 Gas-Brennwertkessel",
        "Brenner CondensPro 35 gas condensing boiler",
        "boiler",
        Decimal("5190.00"),
    ),
    ProductSpec(
        "BW-HT300",
        "Brenner HydroTower 300 Warmwasserspeicher",
        "Brenner HydroTower 300 hot water tank",
        "accessory",
        Decimal("2390.00"),
    ),
    ProductSpec(
        "BW-SC2",
        "Brenner SmartControl 2 Regler",
        "Brenner SmartControl 2 controller",
        "accessory",
        Decimal("349.00"),
    ),
    ProductSpec(
        "ET-UP2560",
        "Umwälzpumpe UP 25-60",
        "Circulation pump UP 25-60",
        "spare_part",
        Decimal("189.00"),
    ),
    ProductSpec(
        "ET-FX200", "Filtereinsatz FX-200", "Filter insert FX-200", "spare_part", Decimal("24.90")
    ),
    ProductSpec(
        "ET-DS4", "Drucksensor DS-4", "Pressure sensor DS-4", "spare_part", Decimal("64.50")
    ),
    ProductSpec(
        "ET-AG25", "Ausdehnungsgefäß 25 l", "Expansion vessel 25 l", "spare_part", Decimal("79.00")
    ),
    ProductSpec(
        "ET-ZE7", "Zündelektrode ZE-7", "Ignition electrode ZE-7", "spare_part", Decimal("18.40")
    ),
    ProductSpec("ET-LM12", "Lüftermotor LM-12", "Fan motor LM-12", "spare_part", Decimal("312.00")),
    ProductSpec(
        "ET-CP300", "Platine CP-300", "Control board CP-300", "spare_part", Decimal("489.00")
    ),
    ProductSpec("DL-WART", "Wartung Wärmepumpe", "Heat pump service", "service", Decimal("249.00")),
)
DEVICE_SKUS = ("BW-AT8", "BW-AT12", "BW-GT12", "BW-GT16", "BW-CP24", "BW-CP35")


@dataclass(frozen=True, slots=True)
class KnownCustomer:
    """Clara Schmidt: the customer every demo and test story starts from."""

    username: str = "clara"
    first_name: str = "Clara"
    last_name: str = "Schmidt"
    email: str = "clara.schmidt@example.de"
    phone: str = "+49 30 23125000"
    customer_number: str = "KD-104711"
    street: str = "Lindenstraße 12"
    postcode: str = "82031"
    city: str = "Grünwald"
    order_number: int = 4711
    tracking_number: str = "00340434161094000471"
    carrier: str = "DHL"
    contract_number: str = "WV-200123"
    device_serial: str = "BW2301004567"
    device_sku: str = "BW-AT8"


CLARA = KnownCustomer()

ORGANISATIONS: tuple[str, ...] = (
    "Heizungsbau Maier GmbH", "Huber Haustechnik GmbH & Co. KG", "Sanitär Gruber e.K.",
    "Wimmer & Söhne Heizung-Sanitär", "Wärmetechnik Obermeier GmbH", "Lehner Gebäudetechnik GmbH",
    "Pichler Bad & Heizung", "Forster Energietechnik GmbH", "Steiner Installationen GmbH",
    "Brandl Haustechnik", "Zimmermann Wärme & Wasser GmbH", "Krause Heizungsservice e.K.",
    "Hausverwaltung Isartal GmbH", "Wohnbau Oberland eG", "Lindner SHK-Meisterbetrieb",
)  # fmt: skip
ENGLISH_FIRST = ("Oliver", "Emma", "James", "Charlotte", "Daniel", "Olivia", "Henry", "Grace")
ENGLISH_LAST = ("Smith", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Hughes", "Clarke")
