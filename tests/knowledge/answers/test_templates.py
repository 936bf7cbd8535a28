import pytest

from kundenversteher.events.models import Event
from kundenversteher.knowledge.answers import automatable_intents, compose
from kundenversteher.knowledge.answers.errors import InvalidTemplateError
from kundenversteher.knowledge.answers.models import AnswerTemplate
from kundenversteher.knowledge.answers.rendering import render
from kundenversteher.knowledge.answers.services import save_template
from tests.knowledge.answers.factories import (
    COMPANY,
    NOW,
    make_clara,
    make_shipped_order,
    understanding_of,
)


@pytest.fixture(autouse=True)
def _company(settings):
    settings.KV_COMPANY_NAME = COMPANY


def test_shipped_templates_cover_the_automatable_intents_in_both_languages(db):
    rows = set(AnswerTemplate.objects.values_list("intent", "language"))

    assert automatable_intents() == frozenset(
        {
            "order_status",
            "delivery_date",
            "invoice_copy",
            "password_reset",
            "address_change",
            "contract_info",
            "repair_status",
        }
    )
    assert all((intent, lang) in rows for intent in automatable_intents() for lang in ("de", "en"))


def test_a_deactivated_intent_is_no_longer_automatable(db):
    AnswerTemplate.objects.filter(intent="password_reset").update(active=False)

    assert "password_reset" not in automatable_intents()


def test_render_substitutes_only_known_values():
    rendered = render(
        "Bestellung {{ order.number }} am {{order.shipping_date}}",
        {
            "order.number": "4711",
            "order.shipping_date": "22. November 2026",
        },
    )

    assert rendered.text == "Bestellung 4711 am 22. November 2026"


def test_render_fails_on_a_placeholder_without_value_and_on_stray_syntax():
    assert render("{{ order.number }} {{ order.carrier }}", {"order.number": "1"}).missing == (
        "order.carrier",
    )
    assert render("{{ order.number }}", {"order.number": None}).missing == ("order.number",)
    assert render("{% if x %}{{ order }}", {}).errors == ("{%", "%}", "{{", "}}")


def test_render_does_not_reinterpret_values_that_look_like_placeholders():
    rendered = render("{{ address.street }}", {"address.street": "{{ company.name }}"})

    assert rendered.text == "{{ company.name }}"


def test_a_template_using_a_slot_without_data_makes_the_answer_fail(db):
    # An admin adds the carrier to the in-progress text, where no carrier is known yet.
    save_template(
        intent="order_status",
        variant="shipped",
        language="de",
        subject="Bestellung {{ order.number }}",
        body="{{ customer.greeting }}, versandt mit {{ order.carrier }}.",
    )
    clara = make_clara()
    make_shipped_order(clara, carrier="")

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Bestellung 4711?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("order.carrier",)
    assert answer.reason == "Bestellung 4711: kein Versanddienstleister."
    assert answer.slots["order.number"] == "4711"


def test_save_template_rejects_unknown_placeholders_and_syntax(db):
    with pytest.raises(InvalidTemplateError) as error:
        save_template(
            intent="order_status",
            variant="shipped",
            language="de",
            subject="x",
            body="{{ customer.password }} {{ invoice.number }} {% load x %}",
        )

    assert error.value.problems == [
        "Unbekannter Platzhalter {{ customer.password }}.",
        "Unbekannter Platzhalter {{ invoice.number }}.",
        "Ungültige Vorlagen-Syntax „{%“.",
        "Ungültige Vorlagen-Syntax „%}“.",
    ]


def test_save_template_counts_versions_and_records_an_event(db):
    template = save_template(
        intent="invoice_copy", language="de", subject="Rechnung", body="{{ invoice.number }}"
    )
    again = save_template(
        intent="invoice_copy", language="de", subject="Rechnung", body="{{ invoice.total }}"
    )

    assert again.id == template.id
    assert (again.version, again.body) == (3, "{{ invoice.total }}")
    assert Event.objects.filter(kind="answer_template.saved").count() == 2


def test_inactive_template_means_no_answer(db):
    AnswerTemplate.objects.filter(intent="order_status", language="de").update(active=False)
    clara = make_clara()
    make_shipped_order(clara)

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Bestellung 4711?"),
        now=NOW,
    )

    assert not answer.ok
    assert answer.reason == "Keine aktive Antwortvorlage für „order_status / shipped“ (de)."


def test_intent_without_resolver_and_unknown_language_are_refused(db):
    clara = make_clara()

    complaint = compose(
        intent="complaint", language="de", customer_id=clara.id, understanding=None, now=NOW
    )
    french = compose(
        intent="order_status", language="fr", customer_id=clara.id, understanding=None, now=NOW
    )

    assert (complaint.ok, complaint.reason) == (
        False,
        "Für das Anliegen „complaint“ gibt es keine automatische Antwort.",
    )
    assert (french.ok, french.reason) == (
        False,
        "Für die Sprache „fr“ gibt es keine Antwortvorlagen.",
    )
