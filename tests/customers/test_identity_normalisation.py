import pytest

from kundenversteher.customers import services
from kundenversteher.customers.errors import IdentityInUse, InvalidIdentity
from kundenversteher.customers.identity import (
    normalise_customer_number,
    normalise_email,
    normalise_phone,
)
from kundenversteher.customers.models import CustomerIdentity
from kundenversteher.events.models import Event
from tests.customers.factories import make_customer


@pytest.mark.parametrize(
    "raw", ["0171 1234567", "+49 171 1234567", "0049 171 1234567", "(0171) 123 45 67"]
)
def test_german_phone_formats_normalise_to_the_same_e164(raw):
    assert normalise_phone(raw) == "+491711234567"


def test_email_is_lower_cased_and_trimmed():
    assert normalise_email("  Anna.Schmidt@Example.DE ") == "anna.schmidt@example.de"


@pytest.mark.parametrize(
    "raw", ["KD-104711", "kd 104711", "KD104711", "Kundennummer 104711", "104711"]
)
def test_customer_number_spellings_normalise_to_kd_form(raw):
    assert normalise_customer_number(raw) == "KD-104711"


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("email", "anna.schmidt@", "„anna.schmidt@“ ist keine gültige E-Mail-Adresse."),
        ("phone", "12", "„12“ ist keine gültige Telefonnummer"),
        ("phone", "bitte anrufen", "„bitte anrufen“ ist keine Telefonnummer."),
        ("customer_number", "KD-1047", "„KD-1047“ ist keine gültige Kundennummer"),
        ("fax", "0941 1234", "Unbekannte Art der Kundenkennung: „fax“."),
    ],
)
def test_invalid_identities_are_rejected_with_a_clear_message(db, kind, raw, message):
    customer = make_customer()

    with pytest.raises(InvalidIdentity) as caught:
        services.add_identity(customer_id=customer.id, kind=kind, value=raw)

    assert str(caught.value).startswith(message)
    assert CustomerIdentity.objects.filter(customer=customer).count() == 1  # the KD number


def test_add_identity_stores_the_normalised_value_and_records_an_event(db):
    customer = make_customer()

    identity = services.add_identity(
        customer_id=customer.id, kind="phone", value="0171 1234567", verified=True
    )

    assert (identity.kind, identity.value, identity.verified) == ("phone", "+491711234567", True)
    event = Event.objects.get(kind="customer.identity_added")
    assert event.customer_id == customer.id
    assert event.payload == {"kind": "phone", "verified": True}


def test_adding_the_same_identity_twice_is_a_no_op(db):
    customer = make_customer()
    services.add_identity(customer_id=customer.id, kind="email", value="anna@example.de")

    services.add_identity(customer_id=customer.id, kind="email", value="ANNA@example.de")

    assert CustomerIdentity.objects.filter(kind="email").count() == 1
    assert Event.objects.filter(kind="customer.identity_added").count() == 1


def test_an_identity_of_another_customer_is_refused(db):
    owner = make_customer("Meier", email="k.meier@example.de")
    other = make_customer("Schulz")

    with pytest.raises(IdentityInUse) as caught:
        services.add_identity(customer_id=other.id, kind="email", value="K.Meier@example.de")

    assert caught.value.owner_id == owner.id
    assert not CustomerIdentity.objects.filter(customer=other, kind="email").exists()
