"""Load, wipe and export the demo company.

Small data goes through the owning apps' services (so events, SLA clocks and routing decisions
exist exactly as in production); configuration without a service (teams, agents, products,
devices, contracts) and the million-case ``large`` size use ``bulk_create``. The whole base load
is one transaction: it is either fully there or not at all, which makes re-running safe.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from kundenversteher.cases import services as case_services
from kundenversteher.cases.models import (
    AgentProfile,
    AgentSkill,
    Attachment,
    BusinessCalendar,
    Case,
    CaseLink,
    CaseNumberCounter,
    ClosedDay,
    Macro,
    Message,
    RoutingDecision,
    RoutingRule,
    Skill,
    SLAAlert,
    SLAPolicy,
    Team,
    UnderstandingCorrection,
)
from kundenversteher.customers import services as customer_services
from kundenversteher.customers.identity import normalise_identity
from kundenversteher.customers.models import (
    Contract,
    Customer,
    CustomerIdentity,
    Device,
    Invoice,
    Order,
    OrderLine,
    Organisation,
    Product,
    StockItem,
)
from kundenversteher.customers.types import OrderLineInput
from kundenversteher.demo import company, history
from kundenversteher.demo.macros import ensure_macros
from kundenversteher.demo.texts import INTENTS, CustomerMail, MessageFacts, TextGenerator
from kundenversteher.demo.texts.generator import CITIES, FIRST_NAMES, LAST_NAMES, STREETS
from kundenversteher.events.models import Event
from kundenversteher.intake.mail.models import OutboundMail
from kundenversteher.intake.models import InboundMessage, InboundStep, MessageIdIndex
from kundenversteher.knowledge.automation.models import AutomationDecision

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DemoSize:
    customers: int
    orders: int
    devices: int
    contracts: int
    cases: int  # through the services, with routing and SLA
    unassigned: int  # of those, left new and unrouted for the demo inbox
    bulk_cases: int = 0  # extra cases written with bulk_create (performance data)
    bulk_customers: int = 0


SIZES: dict[str, DemoSize] = {
    "tiny": DemoSize(customers=24, orders=40, devices=16, contracts=8, cases=30, unassigned=4),
    "small": DemoSize(
        customers=300, orders=800, devices=240, contracts=120, cases=1500, unassigned=40
    ),
    "large": DemoSize(
        customers=300,
        orders=800,
        devices=240,
        contracts=120,
        cases=1500,
        unassigned=40,
        bulk_cases=1_000_000,
        bulk_customers=20_000,
    ),
}

# How often each concern reaches a heat-pump maker's service desk (demo weights).
INTENT_WEIGHTS: dict[str, int] = {
    "order_status": 12, "delivery_date": 8, "order_cancellation": 4, "return_refund": 6,
    "invoice_copy": 7, "payment_issue": 5, "password_reset": 5, "address_change": 4,
    "contract_info": 5, "contract_cancellation": 3, "repair_status": 6,
    "maintenance_appointment": 8, "device_fault": 10, "product_info": 6, "complaint": 5,
    "praise": 3, "other": 3,
}  # fmt: skip
CHANNEL_WEIGHTS: dict[str, int] = {
    "email": 60, "web_form": 15, "chat": 10, "phone": 8, "letter": 4, "api": 3,
}  # fmt: skip
# Final state of a historical case: most are done, some wait, some are still on the desk.
STATE_WEIGHTS: dict[str, int] = {
    "closed": 60, "resolved": 12, "waiting_customer": 7, "open": 9, "new": 12,
}  # fmt: skip
ORDER_STATUS_WEIGHTS: dict[str, int] = {
    "received": 8, "confirmed": 10, "in_production": 7, "shipped": 15, "delivered": 45,
    "cancelled": 8, "returned": 7,
}  # fmt: skip
ORDER_PATHS: dict[str, tuple[str, ...]] = {
    "received": (),
    "confirmed": ("confirmed",),
    "in_production": ("confirmed", "in_production"),
    "shipped": ("confirmed", "shipped"),
    "delivered": ("confirmed", "shipped", "delivered"),
    "cancelled": ("cancelled",),
    "returned": ("confirmed", "shipped", "delivered", "returned"),
}


@dataclass(slots=True)
class DemoReport:
    size: str
    seed: int
    already_loaded: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # role, username, password


class DemoResetRefusedError(Exception):
    """The database holds customers that are not demo customers: refuse to wipe it."""


def logins() -> list[tuple[str, str, str]]:
    rows = [(s.role, s.username, company.DEMO_PASSWORD) for s in company.STAFF]
    return [*rows, ("customer", company.CLARA.username, company.DEMO_PASSWORD)]


def is_loaded() -> bool:
    value = normalise_identity(CustomerIdentity.Kind.CUSTOMER_NUMBER, company.CLARA.customer_number)
    return CustomerIdentity.objects.filter(
        kind=CustomerIdentity.Kind.CUSTOMER_NUMBER, value=value
    ).exists()


def load_demo(
    *,
    size: str = "small",
    seed: int = 2026,
    reset: bool = False,
    bulk_cases: int | None = None,
    progress: Progress | None = None,
    show_bar: bool = False,
) -> DemoReport:
    """Load the demo company. Loading twice changes nothing; ``reset`` wipes demo data first."""
    spec = SIZES[size]
    say = progress or (lambda _msg: None)
    report = DemoReport(size=size, seed=seed, logins=logins())
    if reset and is_loaded():
        started = time.perf_counter()
        reset_demo()
        report.seconds["reset"] = time.perf_counter() - started
        say("Demo-Daten gelöscht.")
    elif reset:
        say("Keine Demo-Firma geladen: nichts zu löschen.")
    if is_loaded():
        report.already_loaded = True
        say("Die Demo-Firma ist bereits geladen; nichts doppelt angelegt.")
    else:
        started = time.perf_counter()
        with transaction.atomic():
            _Loader(spec=spec, seed=seed, say=say, report=report).run()
        report.seconds["base"] = time.perf_counter() - started
    # Outside the base load: a demo loaded before macros existed gets them on the next run.
    report.counts["macros_added"] = ensure_macros()
    extra = spec.bulk_cases if bulk_cases is None else bulk_cases
    if extra:
        started = time.perf_counter()
        added = history.bulk_load_cases(
            target=extra, seed=seed, customers=spec.bulk_customers, show_bar=show_bar, say=say
        )
        report.counts["bulk_cases_added"] = added
        report.seconds["bulk"] = time.perf_counter() - started
    report.counts.update(
        customers=Customer.objects.count(),
        orders=Order.objects.count(),
        devices=Device.objects.count(),
        contracts=Contract.objects.count(),
        cases=Case.objects.count(),
    )
    return report


class _Loader:
    """One base load; holds the random source so the order of steps fixes the data."""

    def __init__(self, *, spec: DemoSize, seed: int, say: Progress, report: DemoReport) -> None:
        self.spec = spec
        self.rng = random.Random(seed)  # noqa: S311 - demo data
        self.say = say
        self.report = report
        self.now = timezone.now()
        self.texts = TextGenerator(seed, today=timezone.localdate(self.now))
        self.staff: dict[str, AbstractBaseUser] = {}
        self.products: dict[str, Product] = {}
        self.customers: list[Customer] = []
        self.facts: dict[int, MessageFacts] = {}
        self.orders_of: dict[int, list[str]] = {}
        self.password_hash = make_password(company.DEMO_PASSWORD)
        self.identities: dict[tuple[int, str], str] = {}
        self.organisation_names: dict[int, str] = {}

    def run(self) -> None:
        steps: Sequence[tuple[str, Callable[[], None]]] = (
            ("organisation", self.organisation),
            ("staff", self.staff_users),
            ("catalogue", self.catalogue),
            ("customers", self.customer_base),
            ("devices", self.devices_and_contracts),
            ("orders", self.orders),
            ("cases", self.cases),
        )
        for name, step in steps:
            started = time.perf_counter()
            step()
            self.report.seconds[name] = time.perf_counter() - started
            self.say(f"{name}: {self.report.seconds[name]:.1f} s")

    # -------------------------------------------------------------- configuration

    def organisation(self) -> None:
        calendar = BusinessCalendar.objects.create(
            name=company.CALENDAR_NAME,
            timezone="Europe/Berlin",
            subdivision="BY",
            weekly_hours=company.WEEKLY_HOURS,
        )
        ClosedDay.objects.bulk_create(
            ClosedDay(calendar=calendar, day=date.fromisoformat(day), reason=reason)
            for day, reason in company.CLOSED_DAYS
        )
        teams = Team.objects.bulk_create(
            Team(
                name=t.name,
                slug=t.slug,
                email=t.email,
                restricted=t.restricted,
                is_default=t.is_default,
            )
            for t in company.TEAMS
        )
        by_slug = {t.slug: t for t in teams}
        RoutingRule.objects.bulk_create(
            RoutingRule(
                name=r.name,
                order=r.order,
                intents=list(r.intents),
                keywords=list(r.keywords),
                team=by_slug[r.team_slug],
                set_priority=r.set_priority,
                add_tag=r.add_tag,
            )
            for r in company.ROUTING_RULES
        )
        policies = []
        for priority, minutes in company.SLA_FIRST_RESPONSE.items():
            for tier, factor in company.SLA_TIER_FACTOR.items():
                first = int(minutes * factor)
                policies.append(
                    SLAPolicy(
                        name=f"{priority} / {tier}",
                        priority=priority,
                        customer_tier=tier,
                        first_response_minutes=first,
                        next_response_minutes=first,
                        resolution_minutes=first * 6,
                        calendar=calendar,
                    )
                )
        # A catch-all, so a case with an unexpected tier still gets clocks.
        policies.append(
            SLAPolicy(
                name="Standard",
                first_response_minutes=480,
                next_response_minutes=480,
                resolution_minutes=2880,
                calendar=calendar,
            )
        )
        SLAPolicy.objects.bulk_create(policies)
        Skill.objects.bulk_create(Skill(name=intent) for intent in INTENTS)
        self.calendar = calendar
        self.teams = by_slug

    def staff_users(self) -> None:
        user_model = get_user_model()
        skills = {s.name: s for s in Skill.objects.all()}
        for spec in company.STAFF:
            user = user_model.objects.create_user(
                username=spec.username,
                password=None,
                email=f"{spec.username}@brenner-waermetechnik.example.de",
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.role == "admin",
                is_superuser=spec.role == "admin",
            )
            profile = AgentProfile.objects.create(
                user=user,
                role=spec.role,
                languages=list(spec.languages),
                capacity=spec.capacity,
                calendar=self.calendar,
            )
            profile.teams.set([self.teams[slug] for slug in spec.teams])
            AgentSkill.objects.bulk_create(
                AgentSkill(agent=profile, skill=skills[name], level=level)
                for name, level in spec.skills
            )
            self.staff[spec.username] = user
        # One hash for all demo logins: argon2 takes ~0.4 s per hash by design.
        user_model.objects.filter(pk__in=[u.pk for u in self.staff.values()]).update(
            password=self.password_hash
        )

    def catalogue(self) -> None:
        products = Product.objects.bulk_create(
            Product(sku=p.sku, name_de=p.name_de, name_en=p.name_en, category=p.category,
                    price=p.price)
            for p in company.PRODUCTS
        )  # fmt: skip
        self.products = {p.sku: p for p in products}
        stock = []
        for product in products:
            sold_out = product.category == "spare_part" and self.rng.random() < 0.3
            stock.append(
                StockItem(
                    product=product,
                    warehouse="Hauptlager",
                    quantity=0 if sold_out else self.rng.randint(3, 250),
                    restock_date=(
                        timezone.localdate(self.now) + timedelta(days=self.rng.randint(5, 40))
                        if sold_out or self.rng.random() < 0.3
                        else None
                    ),
                    restock_quantity=self.rng.choice((20, 50, 100)),
                )
            )
        StockItem.objects.bulk_create(stock)

    # -------------------------------------------------------------- customers

    def customer_base(self) -> None:
        rng = self.rng
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=name,
                street=f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
                postcode=(city := rng.choice(CITIES)).split()[0],
                city=city.split(maxsplit=1)[1],
                tier=rng.choice(("standard", "premium", "premium", "vip")),
            )
            for name in company.ORGANISATIONS[: max(2, self.spec.customers // 20)]
        )
        self.organisation_names = {o.pk: o.name for o in organisations}
        clara = customer_services.create_customer(
            first_name=company.CLARA.first_name,
            last_name=company.CLARA.last_name,
            salutation=Customer.Salutation.MS,
            street=company.CLARA.street,
            postcode=company.CLARA.postcode,
            city=company.CLARA.city,
            email=company.CLARA.email,
            phone=company.CLARA.phone,
            customer_number=company.CLARA.customer_number,
        )
        portal_user = get_user_model().objects.create_user(
            username=company.CLARA.username,
            password=None,
            email=company.CLARA.email,
            first_name=company.CLARA.first_name,
            last_name=company.CLARA.last_name,
        )
        # Linking the portal login has no service yet in customers; it is configuration.
        Customer.objects.filter(pk=clara.pk).update(user=portal_user)
        get_user_model().objects.filter(pk=portal_user.pk).update(password=self.password_hash)
        self.customers.append(clara)
        for i in range(1, self.spec.customers):
            english = rng.random() < 0.15
            first = rng.choice(company.ENGLISH_FIRST if english else FIRST_NAMES)
            last = rng.choice(company.ENGLISH_LAST if english else LAST_NAMES)
            organisation = rng.choice(organisations) if rng.random() < 0.2 else None
            city = rng.choice(CITIES)
            ascii_name = f"{first}.{last}".lower().translate(_ASCII)
            domain = "example.com" if english else "example.de"
            customer = customer_services.create_customer(
                first_name=first,
                last_name=last,
                kind=Customer.Kind.B2B if organisation else Customer.Kind.B2C,
                organisation_id=organisation.pk if organisation else None,
                company_role="Installateurmeister" if organisation else "",
                preferred_language="en" if english else "de",
                tier=organisation.tier if organisation else rng.choice(_TIERS),
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postcode=city.split()[0],
                city=city.split(maxsplit=1)[1],
                email=f"{ascii_name}{i}@{domain}",
                # 030 23125 000-999 is the fictional range; it has room for 999 customers.
                phone=f"+49 30 23125{i:03d}" if i < 1000 and rng.random() < 0.6 else None,
                customer_number=None,  # allotted after Clara's KD-104711: KD-104712, …
            )
            self.customers.append(customer)

    def devices_and_contracts(self) -> None:
        rng = self.rng
        today = timezone.localdate(self.now)
        clara = self.customers[0]
        owners = [
            clara,
            *rng.sample(self.customers[1:], k=min(self.spec.devices, len(self.customers) - 1)),
        ]
        serials = {company.CLARA.device_serial}
        devices = []
        for n, owner in enumerate(owners[: self.spec.devices]):
            installed = today - timedelta(days=rng.randint(60, 8 * 365))
            if n == 0:
                serial, sku, status = (
                    company.CLARA.device_serial,
                    company.CLARA.device_sku,
                    "in_operation",
                )
            else:
                serial = f"BW{installed.year % 100:02d}{rng.randint(0, 99_999_999):08d}"
                while serial in serials:
                    serial = f"BW{installed.year % 100:02d}{rng.randint(0, 99_999_999):08d}"
                sku = rng.choice(company.DEVICE_SKUS)
                status = rng.choices(
                    ("in_operation", "fault", "in_repair", "decommissioned"), (85, 6, 5, 4)
                )[0]
            serials.add(serial)
            devices.append(
                Device(
                    serial=serial,
                    product=self.products[sku],
                    owner=owner,
                    street=owner.street,
                    postcode=owner.postcode,
                    city=owner.city,
                    location=rng.choice(("Keller", "Garten", "Hauswirtschaftsraum", "Garage")),
                    installed_on=installed,
                    warranty_until=installed + timedelta(days=365 * rng.choice((2, 5))),
                    status=status,
                )
            )
        Device.objects.bulk_create(devices)
        numbers = {company.CLARA.contract_number}
        contracts = []
        for n, device in enumerate(devices[: self.spec.contracts]):
            number = company.CLARA.contract_number
            while n and number in numbers:
                number = f"WV-{rng.randint(200000, 299999)}"
            numbers.add(number)
            status = (
                "active"
                if n == 0
                else rng.choices(("active", "notice_given", "ended"), (85, 8, 7))[0]
            )
            start = device.installed_on or today
            contracts.append(
                Contract(
                    number=number,
                    customer=device.owner,
                    type=Contract.Type.MAINTENANCE,
                    start=start,
                    end=today + timedelta(days=rng.randint(10, 90)) if status != "active" else None,
                    status=status,
                    monthly_fee=rng.choice((Decimal("14.90"), Decimal("19.90"), Decimal("29.90"))),
                )
            )
            self._fact(device.owner, contract_number=number, device_serial=device.serial,
                       product_name=device.product.name_de)  # fmt: skip
        Contract.objects.bulk_create(contracts)
        for device in devices[self.spec.contracts :]:
            self._fact(
                device.owner, device_serial=device.serial, product_name=device.product.name_de
            )

    def orders(self) -> None:
        rng = self.rng
        today_start = self.now
        used = {company.CLARA.order_number}
        spare = [p for p in self.products.values() if p.category in ("spare_part", "accessory")]
        big = [p for p in self.products.values() if p.category in ("heat_pump", "boiler")]
        # Clara's order 4711: a heat pump, shipped with a tracking number (the demo story).
        clara_order = customer_services.create_order(
            customer_id=self.customers[0].pk,
            number=company.CLARA.order_number,
            lines=[
                OrderLineInput(product_id=self.products[company.CLARA.device_sku].pk, quantity=1)
            ],
            ordered_at=today_start - timedelta(days=6),
            promised_date=timezone.localdate(self.now) + timedelta(days=2),
        )
        customer_services.update_order_status(order_id=clara_order.pk, status="confirmed")
        customer_services.update_order_status(
            order_id=clara_order.pk,
            status="shipped",
            carrier=company.CLARA.carrier,
            tracking_number=company.CLARA.tracking_number,
            shipped_at=today_start - timedelta(days=1),
        )
        # Invoiced on the shipping day, like every shipped order (answer template invoice_copy).
        customer_services.create_invoice(
            order_id=clara_order.pk,
            issued_on=timezone.localdate(today_start - timedelta(days=1)),
        )
        self.orders_of.setdefault(self.customers[0].pk, []).append(str(company.CLARA.order_number))
        b2b_weight = [3 if c.kind == Customer.Kind.B2B else 1 for c in self.customers]
        finished: list[history.OrderItem] = []
        for _ in range(self.spec.orders - 1):
            customer = rng.choices(self.customers, b2b_weight)[0]
            digits = rng.choices((4, 5, 6, 7), (5, 3, 2, 1))[0]
            number = rng.randint(10 ** (digits - 1), 10**digits - 1)
            while number in used:
                number = rng.randint(1000, 9_999_999)
            used.add(number)
            pool = spare if customer.kind == Customer.Kind.B2B or rng.random() < 0.6 else big
            products = rng.sample(pool, k=rng.randint(1, min(3, len(pool))))
            lines = tuple((p, rng.randint(1, 4) if p in spare else 1) for p in products)
            target = rng.choices(list(ORDER_STATUS_WEIGHTS), list(ORDER_STATUS_WEIGHTS.values()))[0]
            final = target in ("delivered", "cancelled", "returned")
            age = rng.randint(15, 365) if final else rng.randint(0, 14)
            ordered_at = today_start - timedelta(days=age, minutes=rng.randint(0, 1440))
            tracking = f"00340434{rng.randint(10**11, 10**12 - 1)}"
            self.orders_of.setdefault(customer.pk, []).append(str(number))
            if final:
                # Finished orders are history: written in bulk with their past events.
                finished.append(history.OrderItem(customer.pk, number, lines, ordered_at,
                                                  ORDER_PATHS[target], tracking))  # fmt: skip
                continue
            order = customer_services.create_order(
                customer_id=customer.pk,
                number=number,
                lines=[OrderLineInput(product_id=p.pk, quantity=q) for p, q in lines],
                ordered_at=ordered_at,
                promised_date=(ordered_at + timedelta(days=rng.randint(3, 21))).date(),
            )
            for status in ORDER_PATHS[target]:
                customer_services.update_order_status(
                    order_id=order.pk,
                    status=status,
                    carrier="DHL" if status == "shipped" else "",
                    tracking_number=tracking if status == "shipped" else "",
                    shipped_at=ordered_at + timedelta(days=2) if status == "shipped" else None,
                )
            if target == "shipped":
                customer_services.create_invoice(
                    order_id=order.pk, issued_on=timezone.localdate(ordered_at + timedelta(days=2))
                )
        finished.sort(key=lambda item: item.ordered_at)
        history.write_order_history(finished)

    # -------------------------------------------------------------- cases

    def cases(self) -> None:
        """Finished history in bulk (see ``history``), cases in progress through the services."""
        rng = self.rng
        intents, intent_w = list(INTENT_WEIGHTS), list(INTENT_WEIGHTS.values())
        channels, channel_w = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
        states, state_w = list(STATE_WEIGHTS), list(STATE_WEIGHTS.values())
        finished: list[history.HistoryItem] = []
        active: list[tuple[datetime, str, Customer, MessageFacts, CustomerMail, str, bool]] = []
        for i in range(self.spec.cases):
            # Clara's first case is the demo story: "where is my order 4711?"
            customer = self.customers[0] if i == 0 else rng.choice(self.customers)
            intent = "order_status" if i == 0 else rng.choices(intents, intent_w)[0]
            facts = self._facts_for(customer)
            mail = self.texts.customer_mail(
                intent=intent,
                language=customer.preferred_language,
                facts=facts,
                b2b=customer.kind == Customer.Kind.B2B,
            )
            unassigned = i < self.spec.unassigned
            state = "new" if unassigned or i == 0 else rng.choices(states, state_w)[0]
            done = state in ("resolved", "closed")
            opened = self.now - timedelta(
                days=rng.randint(8, 180) if done else rng.randint(0, 4),
                minutes=rng.randint(5, 600),
            )
            channel = (
                "device"
                if intent == "device_fault" and rng.random() < 0.2
                else (rng.choices(channels, channel_w)[0])
            )
            label = f"{customer.full_name} <{facts.email}>"
            if done:
                reply = self.texts.agent_reply(
                    intent=intent, language=mail.language, facts=facts, agent_name="{agent}"
                )
                finished.append(
                    history.HistoryItem(customer.pk, customer.tier, mail, reply, opened, channel,
                                        state, label)
                )  # fmt: skip
            else:
                active.append((opened, state, customer, facts, mail, channel, unassigned))
        finished.sort(key=lambda item: item.opened)
        history.write_history(finished, desk=history.Desk(), rng=rng)
        active.sort(key=lambda row: row[0])
        for opened, state, customer, facts, mail, channel, unassigned in active:
            self._active_case(opened, state, customer, facts, mail, channel, unassigned=unassigned)

    def _active_case(
        self,
        opened: datetime,
        state: str,
        customer: Customer,
        facts: MessageFacts,
        mail: CustomerMail,
        channel: str,
        *,
        unassigned: bool,
    ) -> None:
        rng = self.rng
        case = case_services.open_case(
            subject=mail.subject,
            channel=channel,
            customer_id=customer.pk,
            language=mail.language,
            intent=mail.intent,
            intent_confidence=round(rng.uniform(0.62, 0.99), 2),
            sentiment=mail.sentiment,
            urgency="high" if mail.urgent else "normal",
            priority="high" if mail.urgent else "normal",
            body_text=mail.text,
            author_label=f"{customer.full_name} <{facts.email}>",
            route=not unassigned,
            now=opened,
        )
        # created_at is auto_now_add; the inbox needs the real arrival time.
        Case.objects.filter(pk=case.pk).update(created_at=opened)
        if state == "new":
            return
        agent = case.assignee
        name = (agent.get_full_name() if agent else "") or "Kundenservice"
        replied = min(opened + timedelta(minutes=rng.randint(10, 60 * 30)), self.now)
        case_services.add_message(
            case_id=case.pk,
            direction="outbound",
            body_text=self.texts.agent_reply(
                intent=mail.intent, language=mail.language, facts=facts, agent_name=name
            ),
            channel=channel,
            by=agent,
            author_label=name,
            now=replied,
        )
        if state == "waiting_customer":
            case_services.change_status(
                case_id=case.pk, status="waiting_customer", by=agent, now=replied
            )

    # -------------------------------------------------------------- helpers

    def _fact(self, customer: Customer, **values: str) -> None:
        current = self.facts.get(customer.pk)
        merged = {
            "contract_number": current.contract_number if current else None,
            "device_serial": current.device_serial if current else None,
            "product_name": current.product_name if current else None,
        }
        merged.update({k: v for k, v in values.items() if v and not merged.get(k)})
        self.facts[customer.pk] = MessageFacts(**merged)  # type: ignore[arg-type]

    def _facts_for(self, customer: Customer) -> MessageFacts:
        known = self.facts.get(customer.pk, MessageFacts())
        orders = self.orders_of.get(customer.pk, [])
        if customer.pk == self.customers[0].pk:
            picked = orders[:1]  # Clara asks about 4711
        else:
            picked = self.rng.sample(orders, k=min(3, len(orders)))
        if not self.identities:
            for customer_id, kind, value in CustomerIdentity.objects.values_list(
                "customer_id", "kind", "value"
            ):
                self.identities[(customer_id, kind)] = value
        email = self.identities.get((customer.pk, CustomerIdentity.Kind.EMAIL), "")
        return MessageFacts(
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=email,
            phone=self.identities.get((customer.pk, CustomerIdentity.Kind.PHONE)),
            customer_number=self.identities.get(
                (customer.pk, CustomerIdentity.Kind.CUSTOMER_NUMBER), ""
            ),
            company=self.organisation_names.get(customer.organisation_id or 0),
            order_numbers=tuple(picked),
            contract_number=known.contract_number,
            device_serial=known.device_serial,
            product_name=known.product_name,
            tracking_number=company.CLARA.tracking_number
            if customer.pk == self.customers[0].pk
            else None,
        )


_TIERS = ("standard",) * 16 + ("premium",) * 3 + ("vip",)
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


# ---------------------------------------------------------------------------- reset and export


def reset_demo() -> dict[str, int]:
    """Delete the demo company. Refuses when any customer is not a demo customer.

    Demo customers all have an e-mail at example.de/.com (reserved domains no real person
    has) or a bulk customer number; anything else means real data, which this never touches.
    Only users with demo e-mail addresses are removed, so a real "admin" survives. Intake rows
    go too (they are the raw form of the wiped cases' messages), so a reloaded demo receives its
    demo inbox again; mailboxes and outbound mails stay (an outbound mail only loses its case).
    """
    real = (
        Customer.objects.exclude(identities__value__endswith="@example.de")
        .exclude(identities__value__endswith="@example.com")
        .exclude(identities__value__startswith="KD-2")
    )
    if real.exists():
        raise DemoResetRefusedError(
            f"{real.count()} Kunden gehören nicht zur Demo-Firma; die Datenbank wird nicht geleert."
        )
    deleted: dict[str, int] = {}
    with transaction.atomic():
        # The event log is append-only by design; a demo wipe is the one sanctioned exception,
        # and only because every customer it describes is a demo customer (checked above).
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Event._meta.db_table}")  # noqa: S608 - no user input
            deleted["events.Event"] = cursor.rowcount
        # Children before parents; Customer and Product last (PROTECTed by the rows above).
        models: tuple[Any, ...] = (
            AutomationDecision, UnderstandingCorrection, Macro, Message.mentions.through,
            AgentProfile.teams.through, Attachment, SLAAlert, RoutingDecision, CaseLink, Message,
            Case, CaseNumberCounter,
            RoutingRule, AgentSkill, AgentProfile, SLAPolicy, ClosedDay, BusinessCalendar, Team,
            Skill, Invoice, OrderLine, Order, Contract, Device, StockItem, CustomerIdentity,
            Customer, Product, Organisation,
        )  # fmt: skip
        Customer.objects.update(merged_into=None)
        # Mails (the demo inbox, the contact form) point at the cases wiped below; their raw
        # files stay content-addressed in MEDIA_ROOT and are reused if the same bytes come again.
        OutboundMail.objects.exclude(case=None).update(case=None)
        for model in (InboundStep, MessageIdIndex, InboundMessage):
            deleted[model._meta.label] = _wipe(model)
        for model in models:
            deleted[model._meta.label] = _wipe(model)
        demo_users = get_user_model().objects.filter(
            Q(email__endswith="@brenner-waermetechnik.example.de") | Q(email=company.CLARA.email)
        )
        deleted["auth.User"] = demo_users.delete()[0]
    return deleted


def _wipe(model: Any) -> int:
    # A raw DELETE: Model.delete() would walk every cascade in Python (hours for the large
    # demo) and stop at PROTECT links that this wipe removes in the right order anyway.
    return int(model.objects.all()._raw_delete(connection.alias))


def training_rows(*, count: int, seed: int) -> Iterator[tuple[str, str, str, str]]:
    for mail in TextGenerator(seed).mails(count):
        yield mail.text, mail.intent, mail.language, mail.sentiment


def export_training(path: Path, *, count: int = 20_000, seed: int = 2026) -> int:
    """Write ``text,intent,language,sentiment`` rows for intent-model training."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("text", "intent", "language", "sentiment"))
        written = 0
        for row in training_rows(count=count, seed=seed):
            writer.writerow(row)
            written += 1
    return written
