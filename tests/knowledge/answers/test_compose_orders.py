from datetime import date

import pytest

from kundenversteher.knowledge.answers import compose
from tests.customers.factories import make_customer, make_order, make_stock
from tests.knowledge.answers.factories import (
    COMPANY,
    NOW,
    make_clara,
    make_shipped_order,
    make_spare_part,
    understanding_of,
)

FOOTER_DE = (
    "Diese Antwort wurde automatisch erstellt. Hat sie nicht geholfen? Antworten Sie einfach "
    "mit „hat nicht geholfen“ – dann kümmert sich sofort ein Mitarbeiter darum."
)


@pytest.fixture(autouse=True)
def _company(settings):
    settings.KV_COMPANY_NAME = COMPANY


def test_claras_shipped_order_is_answered_with_the_real_shipping_date(db):
    clara = make_clara()
    make_shipped_order(clara)

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Hallo, wo bleibt meine Bestellung 4711?"),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert answer.subject == "Ihre Bestellung 4711"
    assert answer.body == (
        "Sehr geehrte Frau Schmidt,\n\n"
        "vielen Dank für Ihre Nachricht. Ihre Bestellung 4711 vom 17. November 2026 hat den "
        "Status „versandt“. Sie wurde am 22. November 2026 mit DHL versandt; die "
        "Sendungsnummer lautet 00340434161094000471. Damit können Sie die Sendung bei DHL "
        "verfolgen.\n\n"
        "Mit freundlichen Grüßen\nIhr Kundenservice der Brenner Wärmetechnik GmbH\n\n" + FOOTER_DE
    )
    assert answer.slots["order.shipping_date"] == "22. November 2026"
    assert answer.missing == ()
    assert answer.attachments == ()


def test_unknown_order_number_gives_no_answer_and_names_the_order(db):
    clara = make_clara()
    make_shipped_order(clara)

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Wo bleibt meine Bestellung 9999?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("order.number",)
    assert answer.reason == "Bestellung 9999 ist bei diesem Kunden nicht bekannt."
    assert (answer.subject, answer.body) == ("", "")


def test_someone_elses_order_gives_no_answer(db):
    clara = make_clara()
    make_shipped_order(clara)
    other = make_customer("Huber", first_name="Georg", email="georg@example.de")
    make_shipped_order(other, number=5012, tracking_number="00340434161094005012")

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Wo bleibt meine Bestellung 5012?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("order.number",)
    assert "5012" not in "".join(answer.slots.values())
    assert "00340434161094005012" not in answer.reason


def test_without_a_number_the_customers_only_open_order_is_used(db):
    clara = make_clara()
    make_shipped_order(clara)

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Wann kommt meine Wärmepumpe?"),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert answer.slots["order.number"] == "4711"


def test_without_a_number_and_two_open_orders_there_is_no_answer(db):
    clara = make_clara()
    make_shipped_order(clara)
    make_shipped_order(clara, number=4712)

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Wann kommt meine Lieferung?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("order.number",)


def test_order_not_shipped_gets_the_estimate_from_the_restock_date(db):
    clara = make_clara()
    part = make_spare_part()
    # Nothing in stock; 5 boards arrive on Wed 2 Dec 2026 → + 2 working days = Fri 4 Dec.
    make_stock(part, quantity=0, restock_date=date(2026, 12, 2), restock_quantity=5)
    make_order(clara, number=4800, product=part, quantity=2)

    answer = compose(
        intent="delivery_date",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Wann wird meine Bestellung 4800 geliefert?"),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert answer.subject == "Liefertermin Ihrer Bestellung 4800"
    assert (
        "Ihre Bestellung 4800 (2 × Platine CP-300) ist noch nicht versandt (Status "
        "„eingegangen“). Nach unserem aktuellen Lagerbestand und den angekündigten "
        "Wareneingängen rechnen wir mit der Lieferung am 4. Dezember 2026." in answer.body
    )


def test_a_promise_later_than_stock_allows_is_kept(db):
    clara = make_clara()
    part = make_spare_part()
    make_stock(part, quantity=10)
    make_order(clara, number=4800, product=part, promised_date=date(2026, 12, 10))

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Status meiner Bestellung 4800?"),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert answer.slots["order.expected_date"] == "10. Dezember 2026"


def test_order_without_stock_data_gets_no_date_and_no_answer(db):
    clara = make_clara()
    part = make_spare_part()  # no stock row at all: nobody knows
    make_order(clara, number=4800, product=part)

    answer = compose(
        intent="delivery_date",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Wann kommt Bestellung 4800?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("order.expected_date",)
    assert answer.template_id is not None


def test_shipped_order_without_tracking_number_is_not_answered_automatically(db):
    clara = make_clara()
    make_shipped_order(clara, tracking_number="")

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Bestellung 4711?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("order.tracking_number",)
    assert answer.reason == "Bestellung 4711: keine Sendungsnummer."


def test_english_answer_uses_english_template_dates_and_labels(db):
    clara = make_clara(language="en")
    make_shipped_order(clara)

    answer = compose(
        intent="order_status",
        language="en",
        customer_id=clara.id,
        understanding=understanding_of("Where is my order 4711?"),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert answer.subject == "Your order 4711"
    assert answer.body.startswith(
        "Dear Ms Schmidt,\n\nThank you for your message. Your order 4711 of 17 November 2026 "
        "has the status “shipped”. It was shipped on 22 November 2026 with DHL;"
    )
    assert answer.body.endswith(
        "This answer was written automatically. Did it not help? Simply reply with “did not "
        "help” and a member of our team will take care of it right away."
    )


def test_unknown_customer_gets_no_answer(db):
    answer = compose(
        intent="order_status",
        language="de",
        customer_id=None,
        understanding=understanding_of("Bestellung 4711?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("customer",)


def test_cancelled_order_is_left_to_a_person(db):
    from kundenversteher.customers import services

    clara = make_clara()
    order = make_order(clara, number=4800)
    services.update_order_status(order_id=order.id, status="cancelled")

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Bestellung 4800?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("order.status",)
