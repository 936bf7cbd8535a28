import pytest

from kundenversteher.customers import services
from kundenversteher.customers.identity import identify
from kundenversteher.customers.types import MatchMethod
from tests.customers.factories import make_contract, make_customer, make_device, make_order


@pytest.fixture
def anna(db):
    return make_customer(
        "Schmidt",
        first_name="Anna",
        email="anna.schmidt@example.de",
        phone="0171 1234567",
        customer_number="KD-104711",
        postcode="93047",
    )


@pytest.fixture
def jens(db):
    return make_customer("Müller", first_name="Jens", customer_number="KD-104712", postcode="84028")


def test_identifies_by_email_ignoring_case(anna):
    match = identify(email="Anna.Schmidt@Example.de")

    assert match is not None
    assert (match.customer_id, match.method) == (anna.id, MatchMethod.EMAIL)
    assert match.reason == "Absenderadresse anna.schmidt@example.de ist beim Kunden hinterlegt."


def test_identifies_by_phone_written_differently(anna):
    match = identify(phone="+49 171 1234567")

    assert match is not None
    assert (match.customer_id, match.method) == (anna.id, MatchMethod.PHONE)


def test_identifies_by_customer_number_mentioned_in_text(anna, jens):
    match = identify(
        email="unknown@example.org", numbers={"customer_number": ["Kundennummer 104712"]}
    )

    assert match is not None
    assert (match.customer_id, match.method) == (jens.id, MatchMethod.CUSTOMER_NUMBER)
    assert match.reason == "Kundennummer KD-104712 wurde genannt."


def test_identifies_the_owner_of_a_mentioned_order(anna, jens):
    make_order(jens, number=4711)

    match = identify(numbers={"order_number": ["4711"]})

    assert match is not None
    assert (match.customer_id, match.method) == (jens.id, MatchMethod.ORDER_NUMBER)
    assert match.reason == "Bestellung 4711 gehört diesem Kunden."


def test_identifies_the_owner_of_a_mentioned_contract(anna, jens):
    make_contract(anna, number="WV-200123")

    match = identify(numbers={"contract_number": ["wv-200123"]})

    assert match is not None
    assert (match.customer_id, match.method) == (anna.id, MatchMethod.CONTRACT_NUMBER)


def test_identifies_the_owner_of_a_mentioned_device(anna, jens):
    make_device(jens, serial="BW2301004567")

    match = identify(numbers={"device_serial": ["bw2301004567"]})

    assert match is not None
    assert (match.customer_id, match.method) == (jens.id, MatchMethod.DEVICE_SERIAL)


def test_the_sender_address_outranks_a_number_of_someone_else(anna, jens):
    make_order(jens, number=4711)

    match = identify(email="anna.schmidt@example.de", numbers={"order_number": ["4711"]})

    assert match is not None
    assert (match.customer_id, match.method) == (anna.id, MatchMethod.EMAIL)


def test_numbers_of_two_customers_give_no_match_but_name_the_candidates(anna, jens):
    make_order(jens, number=4711)
    make_contract(anna, number="WV-200123")

    match = identify(numbers={"order_number": ["4711"], "contract_number": ["WV-200123"]})

    assert match is not None
    assert match.customer_id is None
    assert match.ambiguous
    assert set(match.candidates) == {anna.id, jens.id}
    assert match.confidence == 0.0
    assert "Anna Schmidt" in match.reason
    assert "Jens Müller" in match.reason
    assert match.reason.endswith("Bitte manuell zuordnen.")


def test_a_written_name_settles_split_numbers(anna, jens):
    make_order(jens, number=4711)
    make_contract(anna, number="WV-200123")

    match = identify(
        numbers={"order_number": ["4711"], "contract_number": ["WV-200123"]}, name="Jens Mueller"
    )

    assert match is not None
    assert match.customer_id == jens.id


def test_identifies_by_similar_name_and_postcode(anna, jens):
    match = identify(name="Mueller Jens", postcode="84028")

    assert match is not None
    assert (match.customer_id, match.method) == (jens.id, MatchMethod.NAME_POSTCODE)
    assert 0.6 < match.confidence <= 0.7


def test_a_name_with_the_wrong_postcode_is_not_a_match(anna, jens):
    assert identify(name="Jens Müller", postcode="93047") is None


def test_two_equally_similar_names_at_one_postcode_are_ambiguous(anna):
    twin = make_customer("Schmidt", first_name="Anna", postcode="93047")

    match = identify(name="Anna Schmidt", postcode="93047")

    assert match is not None
    assert match.customer_id is None
    assert set(match.candidates) == {anna.id, twin.id}
    assert match.method == MatchMethod.NAME_POSTCODE


def test_unknown_sender_gives_none(anna):
    assert identify(email="fremd@example.org", phone="0899 999999", name="Max Mustermann") is None
    assert identify() is None


def test_a_merged_duplicate_resolves_to_the_surviving_customer(anna, jens):
    duplicate = make_customer("Schmidt", first_name="A.", email="a.schmidt@example.de")
    make_order(duplicate, number=5001)
    services.merge_customers(source_id=duplicate.id, target_id=anna.id)

    by_mail = identify(email="a.schmidt@example.de")
    by_order = identify(numbers={"order_number": ["5001"]})

    assert by_mail is not None
    assert by_order is not None
    assert (by_mail.customer_id, by_order.customer_id) == (anna.id, anna.id)
