"""The live demo inbox: a dozen fresh customer mails handed to intake as the mail adapters would.

After the base load, these mails go through ``intake.services.receive`` as RFC 822 bytes; the
worker started by ``make run`` runs the real pipeline on them (understanding, identity,
threading, routing), so the inbox fills with understood cases within seconds instead of showing
only pre-written data. Each mail has a fixed Message-ID, which is also its dedupe key: loading
the demo again receives nothing twice even though the Date header and the chosen reply case are
computed anew.

The stories every demo walks through are written out here (Clara's order 4711, an angry
customer, a legal threat, an unknown sender, a reply by case number); the rest come from the
demo text generator with the facts of real demo customers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from django.db.models import Q
from django.utils import timezone

from kundenversteher.cases.models import Case, Channel
from kundenversteher.cases.states import Status
from kundenversteher.customers.models import Contract, Customer, CustomerIdentity, Device, Order
from kundenversteher.demo import company
from kundenversteher.demo.texts import MessageFacts, TextGenerator
from kundenversteher.intake.services import receive

SOURCE = "demo"
SERVICE_ADDRESS = "service@brenner-waermetechnik.example.de"
MESSAGE_ID_DOMAIN = "demo.brenner-waermetechnik.example.de"


@dataclass(frozen=True, slots=True)
class InboxMail:
    """One demo mail before it is turned into bytes."""

    key: str  # stable: the Message-ID is <inbox-{key}@MESSAGE_ID_DOMAIN>
    from_name: str
    from_address: str
    subject: str
    text: str
    minutes_ago: int  # how long before the demo load it "arrived"

    @property
    def message_id(self) -> str:
        return f"<inbox-{self.key}@{MESSAGE_ID_DOMAIN}>"


@dataclass(frozen=True, slots=True)
class InboxResult:
    received: int  # new inbound messages (0 when the demo inbox was handed over before)
    duplicates: int
    inbound_ids: tuple[int, ...]


# Generated mails: (key, intent, language). Varied intents, German and English, different teams.
_GENERATED: tuple[tuple[str, str, str], ...] = (
    ("wartung", "maintenance_appointment", "de"),
    ("rechnung", "invoice_copy", "de"),
    ("delivery", "delivery_date", "en"),
    ("vertrag", "contract_info", "de"),
    ("password", "password_reset", "en"),
    ("refund", "return_refund", "en"),
    ("lob", "praise", "de"),
)


def to_rfc822(mail: InboxMail, *, now: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = f"{mail.from_name} <{mail.from_address}>"
    message["To"] = f"{company.COMPANY_NAME} Kundenservice <{SERVICE_ADDRESS}>"
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(timezone.localtime(now - timedelta(minutes=mail.minutes_ago)))
    message["Message-ID"] = mail.message_id
    message.set_content(mail.text)
    return message.as_bytes()


def fill_inbox(*, seed: int = 2026, now: datetime | None = None) -> InboxResult:
    """Hand the demo mails to intake; a mail received before is a no-op (its Message-ID).

    Call outside a transaction: each ``receive`` commits on its own and enqueues the pipeline
    task after its commit.
    """
    now = now or timezone.now()
    ids: list[int] = []
    duplicates = 0
    for mail in inbox_mails(seed=seed, now=now):
        result = receive(
            channel=Channel.EMAIL,
            raw=to_rfc822(mail, now=now),
            source=SOURCE,
            dedupe_key=f"message-id:{mail.message_id}",
            received_at=now - timedelta(minutes=mail.minutes_ago),
        )
        ids.append(result.inbound_id)
        duplicates += int(result.duplicate)
    return InboxResult(
        received=len(ids) - duplicates, duplicates=duplicates, inbound_ids=tuple(ids)
    )


def inbox_mails(*, seed: int, now: datetime) -> list[InboxMail]:
    """The demo inbox, newest story last; needs the loaded demo company (its customers)."""
    customers = _customers_with_email()
    clara = next((c for c in customers if c[1] == company.CLARA.email), None)
    others = [c for c in customers if c[1] != company.CLARA.email]
    rng = random.Random(seed)  # noqa: S311 - demo data
    rng.shuffle(others)
    mails: list[InboxMail] = []
    if clara is not None:
        mails.append(
            InboxMail(
                key="clara-4711",
                from_name=clara[0].full_name,
                from_address=clara[1],
                subject="Wo bleibt meine Bestellung 4711?",
                text=(
                    "Hallo,\n\nich habe vor knapp einer Woche eine Luft-Wasser-Wärmepumpe bei"
                    " Ihnen bestellt. Wo bleibt meine Bestellung 4711? Der Installateur kommt"
                    " nächste Woche und braucht das Gerät.\n\n"
                    f"Viele Grüße\nClara Schmidt\nKundennummer {company.CLARA.customer_number}"
                ),
                minutes_ago=2,
            )
        )
    if others:
        angry = others[0]
        mails.append(
            InboxMail(
                key="heizung-kalt",
                from_name=angry[0].full_name,
                from_address=angry[1],
                subject="Heizung seit drei Tagen kalt – ich bin stinksauer!",
                text=(
                    "Guten Tag,\n\nich bin stinksauer! Seit drei Tagen ist unsere Wärmepumpe aus,"
                    " im Display steht Fehler E42, und niemand ruft zurück. Wir haben zwei kleine"
                    " Kinder und es ist eiskalt im Haus. Ich erwarte HEUTE noch einen Techniker!"
                    f"\n\n{angry[0].full_name}"
                ),
                minutes_ago=9,
            )
        )
    if len(others) > 1:
        lawyer = others[1]
        order = _first_order(lawyer[0])
        order_text = f"meiner Bestellung {order}" if order else "meiner letzten Bestellung"
        mails.append(
            InboxMail(
                key="frist-anwalt",
                from_name=lawyer[0].full_name,
                from_address=lawyer[1],
                subject="Letzte Frist: Erstattung der Rücksendung",
                text=(
                    "Sehr geehrte Damen und Herren,\n\nvor fünf Wochen habe ich die Ware aus"
                    f" {order_text} ordnungsgemäß an Sie zurückgeschickt. Die Erstattung ist bis"
                    " heute nicht erfolgt, und auf zwei E-Mails habe ich keine Antwort erhalten."
                    "\n\nIch setze Ihnen hiermit eine letzte Frist von 7 Tagen. Sollte bis dahin"
                    " kein Geld auf meinem Konto sein, übergebe ich die Angelegenheit meinem"
                    " Anwalt und behalte mir rechtliche Schritte ausdrücklich vor.\n\n"
                    f"Mit freundlichen Grüßen\n{lawyer[0].full_name}"
                ),
                minutes_ago=31,
            )
        )
    mails.append(
        InboxMail(
            key="unknown-sender",
            from_name="Tom Baker",
            from_address="tom.baker@example.com",
            subject="Question about the BW-AT12 air source heat pump",
            text=(
                "Hello,\n\nwe are renovating a house near Salzburg and are considering your"
                " BW-AT12 air source heat pump. Could you tell me how loud it is at night and"
                " whether you deliver to Austria?\n\nBest regards\nTom Baker"
            ),
            minutes_ago=47,
        )
    )
    reply = _reply_to_open_case(exclude_email=company.CLARA.email)
    if reply is not None:
        mails.append(reply)
    mails.extend(_generated(others[2:], seed=seed, now=now))
    return mails


def _customers_with_email() -> list[tuple[Customer, str]]:
    """Active demo customers and their first e-mail address, in customer-number order."""
    rows = (
        CustomerIdentity.objects.filter(
            kind=CustomerIdentity.Kind.EMAIL, customer__merged_into__isnull=True
        )
        .select_related("customer", "customer__organisation")
        .order_by("customer_id", "id")
    )
    seen: dict[int, tuple[Customer, str]] = {}
    for identity in rows:
        seen.setdefault(identity.customer_id, (identity.customer, identity.value))
    return list(seen.values())


def _first_order(customer: Customer) -> str:
    number = (
        Order.objects.filter(customer=customer)
        .order_by("-ordered_at")
        .values_list("number", flat=True)
        .first()
    )
    return str(number) if number is not None else ""


def _reply_to_open_case(*, exclude_email: str) -> InboxMail | None:
    """A customer answers the question asked in their open case, with its number in the subject.

    The case is the oldest one waiting for the customer (else the oldest open one) whose
    customer has an e-mail address, so the pipeline files the mail into it by case number.
    """
    emails: dict[int, str] = dict(
        CustomerIdentity.objects.filter(kind=CustomerIdentity.Kind.EMAIL).values_list(
            "customer_id", "value"
        )
    )
    for status in (Status.WAITING_CUSTOMER.value, Status.OPEN.value):
        for case in (
            Case.objects.filter(status=status, customer__isnull=False)
            .exclude(Q(customer__identities__value=exclude_email))
            .select_related("customer")
            .order_by("created_at", "id")
        ):
            address = emails.get(case.customer_id or 0)
            if not address or case.customer is None:
                continue
            english = case.language == "en"
            text = (
                "Hello,\n\nthank you for your reply. Here is the information you asked for:"
                " the unit is in the utility room and has been running since 2023. Please let"
                " me know what happens next.\n\nKind regards\n"
                if english
                else "Hallo,\n\ndanke für Ihre Rückmeldung. Hier die gewünschten Angaben: Das"
                " Gerät steht im Hauswirtschaftsraum und läuft seit 2023. Wie geht es jetzt"
                " weiter?\n\nViele Grüße\n"
            )
            prefix = "Re" if english else "AW"
            return InboxMail(
                key="reply-open-case",
                from_name=case.customer.full_name,
                from_address=address,
                subject=f"{prefix}: [{case.number}] {case.subject}"[:250],
                text=text + case.customer.full_name,
                minutes_ago=14,
            )
    return None


def _generated(
    customers: Sequence[tuple[Customer, str]], *, seed: int, now: datetime
) -> list[InboxMail]:
    texts = TextGenerator(seed + 1, today=timezone.localdate(now))
    mails: list[InboxMail] = []
    for n, ((key, intent, language), (customer, address)) in enumerate(
        zip(_GENERATED, customers, strict=False)
    ):
        mail = texts.customer_mail(
            intent=intent,
            language=language,
            facts=_facts(customer, address),
            b2b=customer.kind == Customer.Kind.B2B,
        )
        mails.append(
            InboxMail(
                key=key,
                from_name=customer.full_name,
                from_address=address,
                subject=mail.subject,
                text=mail.text,
                minutes_ago=60 + 23 * n,
            )
        )
    return mails


def _facts(customer: Customer, address: str) -> MessageFacts:
    identities = dict(
        customer.identities.exclude(kind=CustomerIdentity.Kind.EMAIL).values_list("kind", "value")
    )
    orders = tuple(
        str(n)
        for n in Order.objects.filter(customer=customer)
        .order_by("-ordered_at")
        .values_list("number", flat=True)[:2]
    )
    contract = Contract.objects.filter(customer=customer).values_list("number", flat=True).first()
    device = (
        Device.objects.filter(owner=customer).select_related("product").order_by("serial").first()
    )
    facts = MessageFacts(
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=address,
        customer_number=identities.get(CustomerIdentity.Kind.CUSTOMER_NUMBER),
        phone=identities.get(CustomerIdentity.Kind.PHONE),
        company=customer.organisation.name if customer.organisation is not None else None,
        order_numbers=orders,
        contract_number=contract,
    )
    if device is not None:
        facts = replace(facts, device_serial=device.serial, product_name=device.product.name_de)
    return facts
