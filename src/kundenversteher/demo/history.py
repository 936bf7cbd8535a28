"""Finished cases and orders written in bulk, with the events the services would have recorded.

Why not the services: a finished case goes through ~5 service calls (open, route, reply,
resolve, close) at ~40 ms each on SQLite, which made the small demo miss its 60-second budget;
and the services stamp "now", whereas history needs its real past timestamps (dashboards and
journeys read them). So the demo writes what those services would have written — the case with
team, agent and SLA clocks chosen by the same routing rules and policies, its messages, and
``case.created`` / ``case.routed`` / ``case.message_added`` / ``case.first_response`` /
``case.resolved`` / ``case.closed`` events at the historical times. Cases still in progress go
through the real services (see ``services._Loader.cases``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from kundenversteher.cases.calendars import CalendarSpec, add_business_minutes
from kundenversteher.cases.models import (
    AgentProfile,
    Case,
    CaseNumberCounter,
    Message,
    RoutingRule,
    SLAPolicy,
    Team,
)
from kundenversteher.customers.models import (
    STANDARD_VAT_RATE,
    Customer,
    CustomerIdentity,
    Invoice,
    Order,
    OrderLine,
    Product,
)
from kundenversteher.customers.services import split_gross
from kundenversteher.demo.texts import CustomerMail, TextGenerator
from kundenversteher.demo.texts.generator import CITIES, FIRST_NAMES, LAST_NAMES, STREETS
from kundenversteher.events.models import Event

BULK_TAG = "demo-bulk"
CHANNELS: dict[str, int] = {
    "email": 60, "web_form": 15, "chat": 10, "phone": 8, "letter": 4, "api": 3,
}  # fmt: skip
_BULK_REPLY = {
    "de": "Vielen Dank für Ihre Nachricht. Wir haben Ihr Anliegen erledigt.\n\n"
    "Ihr Brenner-Serviceteam",
    "en": "Thank you for your message. We have resolved your request.\n\nBrenner service team",
}


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Policy:
    pk: int
    first_minutes: int
    resolution_minutes: int
    spec: CalendarSpec


class Desk:
    """Routing rules, team members and SLA policies, read once and applied in memory."""

    def __init__(self) -> None:
        self.rules = [
            (set(r.intents), r.team_id, r.set_priority, r.add_tag)
            for r in RoutingRule.objects.filter(active=True, keywords=[]).order_by("order", "id")
        ]
        default = Team.objects.filter(is_default=True).order_by("id").first()
        self.default_team = default.pk if default else None
        self.members: dict[int, list[Member]] = {}
        for profile in AgentProfile.objects.prefetch_related("teams").select_related("user"):
            member = Member(
                profile.user_id,
                profile.user.get_full_name() or profile.user.get_username(),
                tuple(profile.languages or ()),
            )
            for team in profile.teams.all():
                self.members.setdefault(team.pk, []).append(member)
        self.policies: dict[tuple[str, str], Policy] = {}
        for p in SLAPolicy.objects.filter(active=True).select_related("calendar"):
            self.policies[(p.priority, p.customer_tier)] = Policy(
                p.pk, p.first_response_minutes, p.resolution_minutes, p.calendar.spec()
            )

    def route(self, intent: str, priority: str) -> tuple[int | None, str, list[str]]:
        for intents, team, set_priority, tag in self.rules:
            if intent in intents:
                return team, set_priority or priority, [tag] if tag else []
        return self.default_team, priority, []

    def agent(self, team: int | None, language: str, rng: random.Random) -> Member | None:
        fitting = [m for m in self.members.get(team or 0, []) if language in m.languages]
        return rng.choice(fitting) if fitting else None

    def policy(self, priority: str, tier: str) -> Policy | None:
        for key in ((priority, tier), (priority, ""), ("", tier), ("", "")):
            if key in self.policies:
                return self.policies[key]
        return None


@dataclass(frozen=True, slots=True)
class HistoryItem:
    customer_id: int
    tier: str
    mail: CustomerMail
    reply: str  # "{agent}" is replaced by the agent's name; "" = a short standard reply
    opened: datetime
    channel: str
    status: str  # "resolved" | "closed"
    author_label: str


class CaseNumbers:
    """Case numbers from the per-year counter, written back once per batch."""

    def __init__(self) -> None:
        self.counters = {c.year: c.last_value for c in CaseNumberCounter.objects.all()}
        self.touched: set[int] = set()

    def next(self, at: datetime) -> str:
        year = timezone.localtime(at).year
        value = self.counters.get(year, 0) + 1
        self.counters[year] = value
        self.touched.add(year)
        return f"KV-{year}-{value:06d}"

    def save(self) -> None:
        for year in sorted(self.touched):
            CaseNumberCounter.objects.update_or_create(
                year=year, defaults={"last_value": self.counters[year]}
            )


class timestamps_as_given:  # noqa: N801 - a context manager, named like one
    """Let bulk_create keep given created_at/updated_at; auto_now(_add) would stamp "now"."""

    def __init__(self, *models: type[Model]) -> None:
        self.fields = [
            m._meta.get_field(name)
            for m in models
            for name in ("created_at", "updated_at")
            if any(f.name == name for f in m._meta.get_fields())
        ]

    def __enter__(self) -> None:
        self.saved = [(f.auto_now, f.auto_now_add) for f in self.fields]  # type: ignore[union-attr]
        for f in self.fields:
            f.auto_now = f.auto_now_add = False  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        for f, (now, add) in zip(self.fields, self.saved, strict=True):
            f.auto_now, f.auto_now_add = now, add  # type: ignore[union-attr]


def _event(kind: str, case: Case, at: datetime, *, user_id: int | None = None,
           label: str = "", data: dict[str, Any] | None = None) -> Event:  # fmt: skip
    return Event(
        occurred_at=at,
        kind=kind,
        actor_kind=Event.ActorKind.USER if user_id else Event.ActorKind.SYSTEM,
        actor_user_id=user_id,
        actor_label=label,
        channel=case.channel,
        case_id=case.pk,
        customer_id=case.customer_id,
        subject_type="cases.case",
        subject_id=str(case.pk),
        payload={"number": case.number, **(data or {})},
    )


def write_history(
    items: Sequence[HistoryItem], *, desk: Desk, rng: random.Random, with_events: bool = True
) -> int:
    """Write finished cases with messages (and events); call inside a transaction."""
    numbers = CaseNumbers()
    cases: list[Case] = []
    agents: list[Member | None] = []
    for item in items:
        priority = "high" if item.mail.urgent else "normal"
        team, priority, tags = desk.route(item.mail.intent, priority)
        agent = desk.agent(team, item.mail.language, rng)
        policy = desk.policy(priority, item.tier)
        responded = item.opened + timedelta(minutes=rng.randint(15, 60 * 20))
        resolved = responded + timedelta(hours=rng.randint(1, 96))
        cases.append(
            Case(
                number=numbers.next(item.opened),
                subject=item.mail.subject[:300],
                status=item.status,
                priority=priority,
                channel=item.channel,
                language=item.mail.language,
                intent=item.mail.intent,
                intent_confidence=round(rng.uniform(0.62, 0.99), 2),
                sentiment=item.mail.sentiment,
                urgency="high" if item.mail.urgent else "normal",
                team_id=team,
                assignee_id=agent.user_id if agent else None,
                customer_id=item.customer_id,
                tags=[*tags, BULK_TAG] if not with_events else tags,
                sla_policy_id=policy.pk if policy else None,
                first_response_due=(
                    add_business_minutes(policy.spec, item.opened, policy.first_minutes)
                    if policy and with_events
                    else None
                ),
                resolution_due=(
                    add_business_minutes(policy.spec, item.opened, policy.resolution_minutes)
                    if policy and with_events
                    else None
                ),
                first_responded_at=responded,
                resolved_at=resolved,
                closed_at=resolved + timedelta(days=7) if item.status == "closed" else None,
                received_at=item.opened,
                created_at=item.opened,
                updated_at=resolved,
            )
        )
        agents.append(agent)
    numbers.save()
    if with_events:
        with timestamps_as_given(Case):
            created = Case.objects.bulk_create(cases, batch_size=1000)
    else:
        created = _insert_cases(cases)
    messages: list[Message] = []
    events: list[Event] = []
    for case, item, agent in zip(created, items, agents, strict=True):
        responded_at, resolved_at = case.first_responded_at, case.resolved_at
        if responded_at is None or resolved_at is None:  # set above; narrows the types
            raise AssertionError(case.number)
        agent_id = agent.user_id if agent else None
        agent_name = agent.name if agent else "Kundenservice"
        # The reply was written before the agent was known; "{agent}" marks the signature.
        reply = (item.reply or _BULK_REPLY[item.mail.language]).replace("{agent}", agent_name)
        messages.append(
            Message(case_id=case.pk, direction="inbound", channel=case.channel,
                    author_label=item.author_label, body_text=item.mail.text,
                    created_at=item.opened)
        )  # fmt: skip
        if not with_events:
            # Performance data: one message per case keeps a million cases loadable in minutes.
            continue
        messages.append(
            Message(case_id=case.pk, direction="outbound", channel=case.channel,
                    author_id=agent_id, author_label=agent_name, body_text=reply,
                    created_at=responded_at)
        )  # fmt: skip
        events += [
            _event("case.created", case, item.opened,
                   data={"intent": case.intent, "priority": case.priority,
                         "sla_policy_id": case.sla_policy_id}),
            _event("case.message_added", case, item.opened,
                   data={"direction": "inbound", "channel": case.channel, "attachments": 0}),
            _event("case.routed", case, item.opened,
                   data={"team_id": case.team_id, "agent_id": agent_id}),
            _event("case.message_added", case, responded_at, user_id=agent_id,
                   label=agent_name if agent else "",
                   data={"direction": "outbound", "channel": case.channel, "attachments": 0}),
            _event("case.first_response", case, responded_at, user_id=agent_id,
                   label=agent_name if agent else ""),
            _event("case.resolved", case, resolved_at, user_id=agent_id,
                   label=agent_name if agent else "",
                   data={"from": "open", "to": "resolved", "reason": "manual"}),
        ]  # fmt: skip
        if case.closed_at is not None:
            events.append(
                _event("case.closed", case, case.closed_at,
                       data={"from": "resolved", "to": "closed", "reason": "auto_close"})
            )  # fmt: skip
    if with_events:
        Message.objects.bulk_create(messages, batch_size=2000)
    else:
        fast_insert(Message, messages)
    # bulk_create, not events.services.record: the events are historical (their own
    # occurred_at) and must not trigger today's reactions (surveys, webhooks) for old cases.
    Event.objects.bulk_create(events, batch_size=2000)
    return len(created)


@dataclass(frozen=True, slots=True)
class OrderItem:
    customer_id: int
    number: int
    lines: tuple[tuple[Product, int], ...]
    ordered_at: datetime
    path: tuple[str, ...]  # statuses after "received", e.g. ("confirmed", "shipped", "delivered")
    tracking_number: str


def write_order_history(items: Sequence[OrderItem]) -> int:
    """Finished orders with lines and the ``order.created``/``order.status_changed`` events
    ``customers.services`` would have recorded, at their historical times."""
    orders: list[Order] = []
    for item in items:
        shipped = item.ordered_at + timedelta(days=2) if "shipped" in item.path else None
        orders.append(
            Order(
                number=item.number,
                customer_id=item.customer_id,
                status=item.path[-1] if item.path else "received",
                ordered_at=item.ordered_at,
                promised_date=(item.ordered_at + timedelta(days=10)).date(),
                shipped_at=shipped,
                carrier="DHL" if shipped else "",
                tracking_number=item.tracking_number if shipped else "",
                total=sum((p.price * q for p, q in item.lines), Decimal("0.00")),
                created_at=item.ordered_at,
                updated_at=item.ordered_at + timedelta(days=2 * len(item.path)),
            )
        )
    with timestamps_as_given(Order):
        created = Order.objects.bulk_create(orders, batch_size=1000)
    lines: list[OrderLine] = []
    events: list[Event] = []
    for order, item in zip(created, items, strict=True):
        lines += [
            OrderLine(order_id=order.pk, product_id=p.pk, quantity=q, unit_price=p.price)
            for p, q in item.lines
        ]
        common = {"customer_id": order.customer_id, "subject_type": "customers.order",
                  "subject_id": str(order.pk), "actor_kind": Event.ActorKind.SYSTEM}  # fmt: skip
        events.append(
            Event(occurred_at=item.ordered_at, kind="order.created",
                  payload={"number": order.number, "total": str(order.total),
                           "lines": len(item.lines)}, **common)
        )  # fmt: skip
        previous = "received"
        for step, status in enumerate(item.path, start=1):
            events.append(
                Event(occurred_at=item.ordered_at + timedelta(days=2 * step),
                      kind="order.status_changed",
                      payload={"number": order.number, "from": previous, "to": status}, **common)
            )  # fmt: skip
            previous = status
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    Event.objects.bulk_create(events, batch_size=2000)
    _write_invoice_history(created)
    return len(created)


def _write_invoice_history(orders: Sequence[Order]) -> None:
    """Invoices for the shipped ones among finished orders, issued on the shipping day and paid
    two weeks later (if that day has passed), numbered on from what the services allotted."""
    today = timezone.localdate()
    next_number: dict[int, int] = {}
    invoices: list[Invoice] = []
    events: list[Event] = []
    for order in sorted((o for o in orders if o.shipped_at is not None), key=_shipped_at):
        issued_on = timezone.localdate(_shipped_at(order))
        year = issued_on.year
        if year not in next_number:
            last = Invoice.objects.filter(number__startswith=f"RE-{year}-").aggregate(
                m=Max("number")
            )["m"]
            next_number[year] = int(last[-6:]) + 1 if last else 1
        net, tax = split_gross(order.total, STANDARD_VAT_RATE)
        paid_on = issued_on + timedelta(days=14)
        invoice = Invoice(
            number=f"RE-{year}-{next_number[year]:06d}",
            order_id=order.pk,
            customer_id=order.customer_id,
            issued_on=issued_on,
            net=net,
            tax=tax,
            gross=order.total,
            status=Invoice.Status.PAID if paid_on <= today else Invoice.Status.OPEN,
            paid_on=paid_on if paid_on <= today else None,
        )
        next_number[year] += 1
        invoices.append(invoice)
    created = Invoice.objects.bulk_create(invoices, batch_size=1000)
    order_numbers = {order.pk: order.number for order in orders}
    for invoice in created:
        common = {"customer_id": invoice.customer_id, "subject_type": "customers.invoice",
                  "subject_id": str(invoice.pk), "actor_kind": Event.ActorKind.SYSTEM}  # fmt: skip
        issued_at = datetime.combine(
            invoice.issued_on, time(18), tzinfo=timezone.get_current_timezone()
        )
        events.append(
            Event(occurred_at=issued_at, kind="invoice.issued",
                  payload={"number": invoice.number, "order": order_numbers[invoice.order_id],
                           "gross": str(invoice.gross)}, **common)
        )  # fmt: skip
        if invoice.paid_on is not None:
            events.append(
                Event(occurred_at=issued_at + timedelta(days=14), kind="invoice.paid",
                      payload={"number": invoice.number,
                               "paid_on": invoice.paid_on.isoformat()}, **common)
            )  # fmt: skip
    Event.objects.bulk_create(events, batch_size=2000)


def _shipped_at(order: Order) -> datetime:
    assert order.shipped_at is not None  # noqa: S101 - filtered by the caller
    return order.shipped_at


# ---------------------------------------------------------------------------- large size

_PLAIN_TYPES = frozenset(
    {
        "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
        "FloatField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
        "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField",
        "TextField",
    }
)  # fmt: skip


def fast_insert(model: type[Model], objs: Sequence[Model]) -> None:
    """INSERT rows with one ``executemany``, values taken as they are on the instances.

    ``bulk_create`` spends ~70 % of its time preparing every value through the field API;
    for a million demo cases that is the difference between minutes and an hour. Plain
    columns go in as they are, only datetimes and other rich types are converted. No signals,
    no auto_now: the instances carry every value (their defaults fill the rest).
    """
    if not objs:
        return
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    converters: list[Callable[[Any], Any] | None] = []
    for f in fields:
        kind = f.get_internal_type()
        if kind in _PLAIN_TYPES:
            converters.append(None)
        elif kind == "DateTimeField":
            converters.append(ops.adapt_datetimefield_value)
        else:
            converters.append(_preparer(f))
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    pairs = list(zip([f.attname for f in fields], converters, strict=True))
    rows = [
        tuple(
            conv(getattr(obj, name)) if conv is not None else getattr(obj, name)
            for name, conv in pairs
        )
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _preparer(field: Any) -> Callable[[Any], Any]:
    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return prepare


def _insert_cases(cases: list[Case]) -> list[Case]:
    """``fast_insert`` the cases and give the instances their new ids (found by number)."""
    before = Case.objects.aggregate(m=Max("pk"))["m"] or 0
    fast_insert(Case, cases)
    ids = dict(Case.objects.filter(pk__gt=before).values_list("number", "pk"))
    for case in cases:
        case.pk = ids[case.number]
    return cases


def bulk_load_cases(
    *,
    target: int,
    seed: int,
    customers: int = 0,
    batch: int = 5000,
    show_bar: bool = False,
    say: Callable[[str], None] | None = None,
) -> int:
    """Add finished bulk cases (tag ``demo-bulk``; the customer's message only, no events)
    until ``target`` of them exist.

    Resumable: each batch commits on its own, and a re-run adds only what is missing.
    """
    say = say or (lambda _msg: None)
    existing = _count_bulk()
    missing = target - existing
    if missing <= 0:
        say(f"{existing} Massendaten-Anliegen bereits vorhanden.")
        return 0
    rng = random.Random(seed + 1)  # noqa: S311 - demo data
    _bulk_customers(customers, rng=rng)
    tiers = dict(Customer.objects.values_list("pk", "tier"))
    customer_ids = list(tiers)
    desk = Desk()
    # Texts repeat from a pool: generating a million mails would dominate the load time.
    pool = list(TextGenerator(seed + 2).mails(min(20_000, max(1_000, target // 50))))
    now = timezone.now()
    bar: Any = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(total=missing, unit=" Anliegen")
    added = 0
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    while added < missing:
        size = min(batch, missing - added)
        items = []
        for _ in range(size):
            customer = rng.choice(customer_ids)
            items.append(
                HistoryItem(
                    customer_id=customer,
                    tier=tiers[customer],
                    mail=rng.choice(pool),
                    reply="",
                    opened=now
                    - timedelta(days=rng.randint(8, 729), seconds=rng.randint(0, 86_399)),
                    channel=rng.choices(channels, weights)[0],
                    status="closed",
                    author_label="",
                )
            )
        with transaction.atomic():
            write_history(items, desk=desk, rng=rng, with_events=False)
        added += size
        if bar is not None:
            bar.update(size)
    if bar is not None:
        bar.close()
    return added


def _count_bulk() -> int:
    # Bulk cases carry exactly the tags their routing rule adds plus BULK_TAG; match on text
    # because JSON containment is not available on SQLite.
    return Case.objects.filter(tags__icontains=BULK_TAG).count()


def _bulk_customers(count: int, *, rng: random.Random) -> None:
    have = CustomerIdentity.objects.filter(
        kind=CustomerIdentity.Kind.CUSTOMER_NUMBER, value__startswith="KD-2"
    ).count()
    if have >= count:
        return
    tiers = ("standard",) * 16 + ("premium",) * 3 + ("vip",)
    rows = []
    for _ in range(have, count):
        city = rng.choice(CITIES)
        rows.append(
            Customer(first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                     street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                     postcode=city.split()[0], city=city.split(maxsplit=1)[1],
                     tier=rng.choice(tiers))
        )  # fmt: skip
    with transaction.atomic():
        created = Customer.objects.bulk_create(rows, batch_size=2000)
        CustomerIdentity.objects.bulk_create(
            (CustomerIdentity(customer_id=c.pk, kind=CustomerIdentity.Kind.CUSTOMER_NUMBER,
                              value=f"KD-{200000 + have + n:06d}", verified=True)
             for n, c in enumerate(created)),
            batch_size=2000,
        )  # fmt: skip
