from __future__ import annotations

from datetime import date

from kundenversteher.cases.macros import (
    fill_placeholders,
    first_order_number,
    macros_for_case,
    render_macro,
)
from kundenversteher.cases.models import Case
from kundenversteher.customers.models import Customer
from kundenversteher.intelligence.types import EntityKind
from tests.cases.factories import make_agent, make_team
from tests.customers.factories import make_customer, make_order
from tests.workspace.case_view_factories import (
    make_inbound_case,
    make_macro,
    make_understanding,
)

BODY = "Guten Tag, wo bleibt meine Bestellung 4711? Gruß"


def _case_with_order(*, order_owner: Customer | None = None) -> Case:
    customer = make_customer("Schmidt", first_name="Clara")
    make_order(order_owner or customer, number=4711, promised_date=date(2026, 11, 27))
    understanding = make_understanding(BODY, entities=[(EntityKind.ORDER_NUMBER, "4711", "4711")])
    return make_inbound_case(customer=customer, body_text=BODY, understanding=understanding)


def test_whitelisted_variables_are_filled_from_case_customer_agent_and_order(db):
    case = _case_with_order()
    agent = make_agent("anna", teams=[make_team("Service")])
    macro = make_macro(
        body="Hallo {{ customer.first_name }} ({{customer.name}}), zu {{ case.number }} "
        "»{{ case.subject }}«: Bestellung {{ order.number }} ist {{ order.status }}, "
        "Lieferung am {{ order.delivery_date }}. Ihre {{ agent.first_name }}"
    )

    rendered = render_macro(macro=macro, case=case, agent=agent)

    assert rendered.text == (
        f"Hallo Clara (Clara Schmidt), zu {case.number} »Wo bleibt meine Bestellung?«: "
        "Bestellung 4711 ist eingegangen, Lieferung am 27.11.2026. Ihre Anna"
    )
    assert rendered.unknown == ()
    assert rendered.missing == ()


def test_english_macro_formats_the_delivery_date_in_english(db):
    case = _case_with_order()
    macro = make_macro(
        "Delivery",
        language="en",
        body="Your order {{ order.number }} arrives on {{ order.delivery_date }}.",
    )

    rendered = render_macro(macro=macro, case=case, agent=None)

    assert rendered.text == "Your order 4711 arrives on 27 November 2026."


def test_unknown_variables_stay_visible_and_are_reported(db):
    rendered = fill_placeholders(
        "Hallo {{ customer.password }} {{ case.customer.user.password }} {{ case.number }}",
        {"case.number": "KV-2026-000001"},
    )

    assert rendered.text == (
        "Hallo {{ customer.password }} {{ case.customer.user.password }} KV-2026-000001"
    )
    assert rendered.unknown == ("customer.password", "case.customer.user.password")
    assert rendered.missing == ()


def test_template_syntax_is_not_executed(db):
    rendered = fill_placeholders(
        "{% load static %}{{ case.number|upper }}{{ '{{' }}", {"case.number": "kv-1"}
    )

    assert rendered.text == "{% load static %}{{ case.number|upper }}{{ '{{' }}"
    # Filters are not understood: the whole expression is an unknown name.
    assert rendered.unknown == ("case.number|upper", "'")


def test_a_value_containing_placeholders_is_not_expanded_again(db):
    rendered = fill_placeholders(
        "{{ customer.name }} / {{ case.number }}",
        {"customer.name": "{{ case.number }}", "case.number": "KV-2026-000009"},
    )

    assert rendered.text == "{{ case.number }} / KV-2026-000009"


def test_another_customers_order_is_not_used(db):
    stranger = make_customer("Fremd", first_name="Otto", email="otto@example.de")
    case = _case_with_order(order_owner=stranger)
    macro = make_macro(body="Bestellung {{ order.number }}: {{ order.status }}")

    rendered = render_macro(macro=macro, case=case, agent=None)

    assert rendered.text == "Bestellung {{ order.number }}: {{ order.status }}"
    assert rendered.missing == ("order.number", "order.status")


def test_case_without_customer_reports_customer_variables_missing(db):
    case = make_inbound_case(customer=None)
    macro = make_macro(body="Hallo {{ customer.first_name }}, {{ case.number }}")

    rendered = render_macro(macro=macro, case=case, agent=None)

    assert rendered.text == f"Hallo {{{{ customer.first_name }}}}, {case.number}"
    assert rendered.missing == ("customer.first_name",)


def test_first_order_number_comes_from_the_understood_entities(db):
    text = "Auftrag 12345 und Bestellung 4711"
    case = make_inbound_case(
        body_text=text,
        understanding=make_understanding(
            text,
            entities=[
                (EntityKind.ORDER_NUMBER, "12345", "12345"),
                (EntityKind.ORDER_NUMBER, "4711", "4711"),
            ],
        ),
    )

    assert first_order_number(case) == "12345"


def test_macros_for_case_offers_general_and_own_team_macros_case_language_first(db):
    service = make_team("Service")
    other = make_team("Vertrieb")
    case = make_inbound_case(team=service, language="en")
    make_macro("Allgemein", language="de")
    make_macro("General", language="en")
    make_macro("Service intern", team=service)
    make_macro("Vertrieb intern", team=other)
    make_macro("Alt", active=False)

    names = [m.name for m in macros_for_case(case)]

    assert names == ["General", "Allgemein", "Service intern"]
