"""Contracts, portal sign-in, address changes and repair status."""

from datetime import date

import pytest

from kundenversteher.customers import services as customer_services
from kundenversteher.customers.models import Customer, Device
from kundenversteher.events.models import Event
from kundenversteher.knowledge.answers import compose
from kundenversteher.knowledge.answers.errors import AddressNotUnderstoodError
from kundenversteher.knowledge.answers.services import apply_address_change
from tests.cases.factories import make_case
from tests.customers.factories import make_contract, make_device, make_portal_user
from tests.knowledge.answers.factories import COMPANY, NOW, make_clara, understanding_of


@pytest.fixture(autouse=True)
def _company(settings):
    settings.KV_COMPANY_NAME = COMPANY


def _compose(intent: str, customer: Customer, text: str, *, language: str = "de", **kw):
    return compose(
        intent=intent,
        language=language,
        customer_id=customer.id,
        understanding=understanding_of(text),
        now=NOW,
        **kw,
    )


# --- contracts


def test_fixed_term_contract_states_end_notice_period_and_last_notice_day(db):
    clara = make_clara()
    make_contract(clara, end=date(2027, 6, 30), notice_period_days=90)

    answer = _compose("contract_info", clara, "Wann endet mein Wartungsvertrag WV-200123?")

    assert answer.ok, answer.reason
    assert (
        "Ihr Vertrag WV-200123 (Wartungsvertrag) läuft bis zum 30. Juni 2027 und verlängert "
        "sich danach automatisch, wenn er nicht gekündigt wird. Die Kündigungsfrist beträgt 90 "
        "Tage: Damit der Vertrag zum 30. Juni 2027 endet, muss Ihre Kündigung spätestens am "
        "1. April 2027 bei uns eingehen." in answer.body
    )


def test_open_ended_contract_names_the_earliest_end_from_today(db):
    clara = make_clara()
    make_contract(clara, end=None, notice_period_days=90)

    answer = _compose("contract_info", clara, "Wie lange läuft mein Vertrag?")

    assert answer.ok, answer.reason
    # 23 November 2026 + 90 days
    assert answer.slots["contract.earliest_end"] == "21. Februar 2027"


def test_contract_whose_notice_deadline_has_passed_is_left_to_a_person(db):
    clara = make_clara()
    make_contract(clara, end=date(2026, 12, 31), notice_period_days=90)

    answer = _compose("contract_info", clara, "Vertrag WV-200123 kündigen – bis wann?")

    assert not answer.ok
    assert answer.missing == ("contract.notice_deadline",)


def test_someone_elses_contract_number_gets_no_answer(db):
    clara = make_clara()
    make_contract(clara)
    other = customer_services.create_customer(first_name="Georg", last_name="Huber")
    make_contract(other, number="WV-200999", end=date(2027, 6, 30))

    answer = _compose("contract_info", clara, "Laufzeit von WV-200999?")

    assert not answer.ok
    assert answer.missing == ("contract.number",)
    assert answer.reason == "Vertrag WV-200999 ist bei diesem Kunden nicht bekannt."


def test_contract_cancellation_has_no_shipped_template(db):
    clara = make_clara()
    make_contract(clara, end=date(2027, 6, 30))

    answer = _compose("contract_cancellation", clara, "Ich kündige WV-200123.")

    assert not answer.ok
    assert (
        answer.reason
        == "Keine aktive Antwortvorlage für „contract_cancellation / fixed_term“ (de)."
    )


# --- password reset


def test_password_reset_sends_the_portal_sign_in_address(db, settings):
    settings.BASE_URL = "https://service.brenner-waermetechnik.example.de"
    settings.KV_PORTAL_LINK_MINUTES = 15
    clara = make_clara()
    customer_services.link_portal_user(customer_id=clara.id, user_id=make_portal_user().id)

    answer = _compose("password_reset", clara, "Ich habe mein Passwort vergessen.")

    assert answer.ok, answer.reason
    assert (
        "Öffnen Sie https://service.brenner-waermetechnik.example.de/portal/anmelden/ und geben "
        "Sie Ihre E-Mail-Adresse clara.schmidt@example.de ein: Sie erhalten dann einen "
        "Anmeldelink per E-Mail, der 15 Minuten gültig ist." in answer.body
    )


def test_password_reset_without_a_public_base_url_gets_no_answer(db, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    settings.DEBUG = False
    clara = make_clara()
    customer_services.link_portal_user(customer_id=clara.id, user_id=make_portal_user().id)

    answer = _compose("password_reset", clara, "Passwort vergessen")

    assert not answer.ok
    assert answer.missing == ("portal.login_url",)


def test_password_reset_without_portal_login_gets_no_answer(db, settings):
    settings.BASE_URL = "https://service.example.de"
    clara = make_clara()

    answer = _compose("password_reset", clara, "Passwort vergessen")

    assert not answer.ok
    assert answer.missing == ("portal.login_url",)


# --- address change


def test_address_change_confirms_the_address_as_understood(db):
    clara = make_clara()

    answer = _compose(
        "address_change",
        clara,
        "Guten Tag, wir sind umgezogen. Unsere neue Anschrift: Am Anger 3a, 83022 Rosenheim.",
    )

    assert answer.ok, answer.reason
    assert "Wir haben Ihre neue Anschrift so aufgenommen:\n\nAm Anger 3a\n83022 Rosenheim\n\n" in (
        answer.body
    )
    clara.refresh_from_db()
    assert (clara.street, clara.city) == ("Lindenstraße 12", "Grünwald")  # compose writes nothing


def test_address_change_takes_the_new_one_of_old_and_new_address(db):
    clara = make_clara()

    answer = _compose(
        "address_change",
        clara,
        "Bitte ändern Sie meine Adresse von Lindenstraße 12, 82031 Grünwald auf "
        "Karl-Marx-Straße 101, 12043 Berlin.",
    )

    assert answer.ok, answer.reason
    assert (answer.slots["address.street"], answer.slots["address.city"]) == (
        "Karl-Marx-Straße 101",
        "Berlin",
    )


def test_address_change_without_a_full_address_gets_no_answer(db):
    clara = make_clara()

    answer = _compose("address_change", clara, "Wir ziehen nächste Woche nach Rosenheim um.")

    assert not answer.ok
    assert answer.missing == ("address.street", "address.postcode", "address.city")


def test_applying_the_address_change_updates_the_customer_with_an_event(db):
    clara = make_clara()

    address = apply_address_change(
        customer_id=clara.id,
        understanding=understanding_of("Neue Adresse: Bahnhofstr. 5, 80335 München"),
    )

    clara.refresh_from_db()
    assert (clara.street, clara.postcode, clara.city) == ("Bahnhofstr. 5", "80335", "München")
    assert address.street == "Bahnhofstr. 5"
    event = Event.objects.filter(kind="customer.updated", customer_id=clara.id).latest("id")
    assert event.payload == {"fields": ["city", "postcode", "street"]}


def test_applying_without_an_address_changes_nothing(db):
    clara = make_clara()

    with pytest.raises(AddressNotUnderstoodError):
        apply_address_change(customer_id=clara.id, understanding=understanding_of("Umzug!"))
    clara.refresh_from_db()
    assert clara.street == "Lindenstraße 12"


# --- repair status


def test_repair_status_of_the_customers_device_in_repair(db):
    clara = make_clara()
    device = make_device(clara)
    Device.objects.filter(id=device.id).update(status=Device.Status.IN_REPAIR)

    answer = _compose("repair_status", clara, "Wie weit ist die Reparatur?")

    assert answer.ok, answer.reason
    assert answer.subject == "Ihr Gerät BW2301004567"
    assert (
        "Ihr Gerät Luft-Wasser-Wärmepumpe 8 kW mit der Seriennummer BW2301004567 hat bei uns "
        "derzeit den Status „in Reparatur“." in answer.body
    )


def test_repair_status_in_english(db):
    clara = make_clara(language="en")
    device = make_device(clara)
    Device.objects.filter(id=device.id).update(status=Device.Status.IN_REPAIR)

    answer = _compose("repair_status", clara, "Status of BW2301004567?", language="en")

    assert answer.ok, answer.reason
    assert answer.slots["device.status"] == "under repair"


def test_repair_status_falls_back_to_the_one_other_open_case(db):
    clara = make_clara()
    earlier = make_case(customer=clara, subject="Wärmepumpe defekt")
    current = make_case(customer=clara, subject="Wie ist der Stand?")

    answer = _compose("repair_status", clara, "Wie ist der Stand?", case_id=current.id)

    assert answer.ok, answer.reason
    assert answer.slots["open_case.number"] == earlier.number
    assert answer.slots["open_case.status"] == "eingegangen"


def test_someone_elses_device_gets_no_answer(db):
    clara = make_clara()
    other = customer_services.create_customer(first_name="Georg", last_name="Huber")
    make_device(other, serial="BW2301009999")

    answer = _compose("repair_status", clara, "Status von BW2301009999?")

    assert not answer.ok
    assert answer.missing == ("device.serial",)


def test_answer_effects_apply_only_the_confirmed_address_change(db):
    from kundenversteher.knowledge.answers.services import apply_answer_effects

    clara = make_clara()
    text = understanding_of("Neue Anschrift: Rosenweg 4, 93047 Regensburg")

    assert (
        apply_answer_effects(intent="order_status", customer_id=clara.id, understanding=text) == []
    )
    clara.refresh_from_db()
    assert clara.city == "Grünwald"
    assert apply_answer_effects(
        intent="address_change", customer_id=clara.id, understanding=text
    ) == ["address_changed"]
    clara.refresh_from_db()
    assert (clara.street, clara.postcode, clara.city) == ("Rosenweg 4", "93047", "Regensburg")
