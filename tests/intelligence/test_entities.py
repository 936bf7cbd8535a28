from __future__ import annotations

from datetime import date

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from kundenversteher.intelligence.bundle import NumberPattern
from kundenversteher.intelligence.entities import extract_entities, parse_amount
from kundenversteher.intelligence.types import EntityKind
from tests.intelligence.factories import TODAY, make_config


def found(text: str, kind: EntityKind) -> list[tuple[str, str]]:
    return [(e.text, e.value) for e in extract_entities(text, today=TODAY) if e.kind == kind]


def test_email_is_found_with_lowercased_domain() -> None:
    assert found("Schreiben Sie an Max.Muster@Example.DE bitte", EntityKind.EMAIL) == [
        ("Max.Muster@Example.DE", "Max.Muster@example.de")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tel. 0171 1234567", ("0171 1234567", "+491711234567")),
        ("call +49 89 1234567 please", ("+49 89 1234567", "+49891234567")),
        ("Fax: 089/1234567", ("089/1234567", "+49891234567")),
        ("Mobil +49 (0)171 1234567", ("+49 (0)171 1234567", "+491711234567")),
    ],
)
def test_phone_numbers_are_normalised_to_e164(text: str, expected: tuple[str, str]) -> None:
    assert found(text, EntityKind.PHONE) == [expected]


def test_phone_does_not_swallow_a_following_order_number() -> None:
    assert found("Tel. 0171 1234567 4711 danke", EntityKind.PHONE) == [
        ("0171 1234567", "+491711234567")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Lieferung am 03.05.2026 erwartet",
        "IBAN DE89 3704 0044 0532 0130 00",
        "Seriennummer BW2301004567",
        "Bestellung 1234567",
    ],
)
def test_dates_ibans_serials_and_order_numbers_are_not_phones(text: str) -> None:
    assert found(text, EntityKind.PHONE) == []


def test_iban_with_spaces_is_reported_compact() -> None:
    assert found("Bitte an DE89 3704 0044 0532 0130 00 überweisen", EntityKind.IBAN) == [
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000")
    ]


def test_lower_case_iban_is_reported_in_upper_case() -> None:
    assert found("von de89 3704 0044 0532 0130 00 abbuchen", EntityKind.IBAN) == [
        ("de89 3704 0044 0532 0130 00", "DE89370400440532013000")
    ]


def test_iban_with_wrong_checksum_is_not_reported() -> None:
    assert found("IBAN DE88 3704 0044 0532 0130 00", EntityKind.IBAN) == []


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("meine KD-104711", EntityKind.CUSTOMER_NUMBER, ("KD-104711", "KD-104711")),
        ("Kundennummer 104711, danke", EntityKind.CUSTOMER_NUMBER, ("104711", "KD-104711")),
        ("meine Kd.Nr.: 104733", EntityKind.CUSTOMER_NUMBER, ("104733", "KD-104733")),
        ("kd 104711", EntityKind.CUSTOMER_NUMBER, ("kd 104711", "KD-104711")),
        ("Vertrag WV-200123", EntityKind.CONTRACT_NUMBER, ("WV-200123", "WV-200123")),
        (
            "Rechnung RE-2026-001234",
            EntityKind.INVOICE_NUMBER,
            ("RE-2026-001234", "RE-2026-001234"),
        ),
        (
            "Rechnung RE 2026 001234",
            EntityKind.INVOICE_NUMBER,
            ("RE 2026 001234", "RE-2026-001234"),
        ),
        ("Gerät BW2301004567", EntityKind.DEVICE_SERIAL, ("BW2301004567", "BW2301004567")),
        ("Fall KV-2026-000123", EntityKind.CASE_NUMBER, ("KV-2026-000123", "KV-2026-000123")),
        ("meine Bestellung 4711 fehlt", EntityKind.ORDER_NUMBER, ("4711", "4711")),
        ("Bestell-Nr.: 123456", EntityKind.ORDER_NUMBER, ("123456", "123456")),
        ("where is order #98765", EntityKind.ORDER_NUMBER, ("98765", "98765")),
        ("Auftragsnummer lautet 7654321.", EntityKind.ORDER_NUMBER, ("7654321", "7654321")),
    ],
)
def test_shared_number_formats_are_recognised(
    text: str, kind: EntityKind, expected: tuple[str, str]
) -> None:
    assert found(text, kind) == [expected]


def test_bare_number_without_context_word_is_no_order_number() -> None:
    assert found("Ich habe 4711 Probleme mit der Heizung", EntityKind.ORDER_NUMBER) == []


def test_number_before_euro_is_an_amount_not_an_order() -> None:
    text = "Bestellung über 4711 Euro"
    assert found(text, EntityKind.ORDER_NUMBER) == []
    assert found(text, EntityKind.AMOUNT) == [("4711 Euro", "4711.00 EUR")]


def test_tenant_number_pattern_replaces_the_defaults() -> None:
    config = make_config(
        number_patterns=(NumberPattern(kind="order_number", regex=r"\bA-\d{5}\b"),)
    )
    entities = extract_entities("Auftrag A-12345 und KD-104711", config=config, today=TODAY)
    assert [(e.kind, e.value) for e in entities] == [(EntityKind.ORDER_NUMBER, "A-12345")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Termin nächsten Dienstag", ("nächsten Dienstag", "2026-11-24")),
        ("kommen Sie übermorgen", ("übermorgen", "2026-11-25")),
        ("in zwei Wochen wieder", ("in zwei Wochen", "2026-12-07")),
        ("next Friday works", ("next Friday", "2026-11-27")),
        ("bis zum 3.5. bitte", ("3.5.", "2027-05-03")),
        ("am 03.05.2026 geliefert", ("03.05.2026", "2026-05-03")),
        ("am 3. Mai 2026 bestellt", ("3. Mai 2026", "2026-05-03")),
        ("delivered May 3rd", ("May 3rd", "2027-05-03")),
        ("since last Monday", ("last Monday", "2026-11-16")),
        ("am 20.11. bestellt", ("20.11.", "2026-11-20")),
        ("ISO 2026-12-01 geht", ("2026-12-01", "2026-12-01")),
        ("in 3 days please", ("in 3 days", "2026-11-26")),
        ("kaputt seit Freitag", ("Freitag", "2026-11-20")),
        ("abgebucht am 20.11.2026, danach", ("20.11.2026", "2026-11-20")),
        ("broken since Monday", ("Monday", "2026-11-23")),
    ],
)
def test_dates_resolve_against_the_reference_date(text: str, expected: tuple[str, str]) -> None:
    assert found(text, EntityKind.DATE) == [expected]


def test_greeting_guten_morgen_is_no_date() -> None:
    assert found("Guten Morgen, meine Heizung ist aus", EntityKind.DATE) == []


def test_impossible_calendar_date_is_not_reported() -> None:
    assert found("am 31.02.2026", EntityKind.DATE) == []


def test_reference_date_is_injectable() -> None:
    entities = extract_entities("morgen", today=date(2027, 1, 31))
    assert [e.value for e in entities] == ["2027-02-01"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kostet 1.234,56 € insgesamt", ("1.234,56 €", "1234.56 EUR")),
        ("EUR 99 bezahlt", ("EUR 99", "99.00 EUR")),
        ("nur 99,- Euro", ("99,- Euro", "99.00 EUR")),
        ("paid €12.50 twice", ("€12.50", "12.50 EUR")),
        ("Preis 1.234 EUR", ("1.234 EUR", "1234.00 EUR")),
    ],
)
def test_euro_amounts_are_normalised(text: str, expected: tuple[str, str]) -> None:
    assert found(text, EntityKind.AMOUNT) == [expected]


def test_parse_amount_rejects_garbage() -> None:
    assert parse_amount("12a") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Musterstraße 12, 80331 München", ["80331"]),
        ("Brenner GmbH\n80331 München", ["80331"]),
        ("PLZ 12345", ["12345"]),
        ("Die PLZ ist 99084, Ort Erfurt", ["99084"]),
        ("Hauptstraße 1, D-80331 München", ["80331"]),
        ("ich habe 12345 Probleme", []),
        ("Bestellung 54321 Heizkörper", []),
        ("Musterstraße 1, 00999 Nirgendwo", []),
    ],
)
def test_postcodes_need_a_town_or_address_context(text: str, expected: list[str]) -> None:
    assert [value for _, value in found(text, EntityKind.POSTCODE)] == expected


def test_overlapping_candidates_keep_the_longest() -> None:
    entities = extract_entities("Rechnung RE-2026-001234", today=TODAY)
    assert [(e.kind, e.text) for e in entities] == [(EntityKind.INVOICE_NUMBER, "RE-2026-001234")]


def test_url_is_found() -> None:
    assert found("siehe www.brenner-waerme.de/faq.", EntityKind.URL) == [
        ("www.brenner-waerme.de/faq", "https://www.brenner-waerme.de/faq")
    ]


VALID_IBANS = ["DE89370400440532013000", "DE02120300000000202051", "AT611904300234573201"]


@settings(max_examples=60, deadline=None)
@given(
    base=st.sampled_from(VALID_IBANS),
    position=st.integers(min_value=4, max_value=19),
    delta=st.integers(min_value=1, max_value=9),
)
def test_a_changed_iban_digit_is_rejected(base: str, position: int, delta: int) -> None:
    changed = base[:position] + str((int(base[position]) + delta) % 10) + base[position + 1 :]
    reported = found(f"IBAN {changed} bitte", EntityKind.IBAN)
    assert reported == []


@st.composite
def iban_like(draw: st.DrawFn) -> str:
    """A valid IBAN, maybe with one character replaced, grouped by four or not, with noise."""
    chars = list(draw(st.sampled_from(VALID_IBANS)))
    if draw(st.booleans()):
        chars[draw(st.integers(0, len(chars) - 1))] = draw(st.sampled_from("0123456789ABZ"))
    iban = "".join(chars)
    if draw(st.booleans()):
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    noise = draw(st.text(alphabet="0123456789 DE", max_size=12))
    return f"IBAN {iban}{noise} danke"


@settings(max_examples=120, deadline=None)
@given(iban_like())
def test_a_reported_iban_always_passes_the_checksum(text: str) -> None:
    for entity in extract_entities(text, today=TODAY):
        if entity.kind == EntityKind.IBAN:
            assert stdnum_iban.is_valid(entity.value)
            assert entity.value == entity.text.replace(" ", "")


PHONE_LIKE = st.one_of(
    # German-looking numbers: about two thirds of them are valid, the rest must be dropped.
    st.from_regex(r"(?:\+49 ?|0)[1-9]\d{1,4}[ /-]?\d{3,8}", fullmatch=True),
    st.text(alphabet="+0123456789 ()/-.", min_size=0, max_size=30),
)


@settings(max_examples=120, deadline=None)
@given(PHONE_LIKE)
def test_a_reported_phone_is_valid_per_phonenumbers(raw: str) -> None:
    text = f"Tel. {raw} bitte"
    for entity in extract_entities(text, today=TODAY):
        if entity.kind == EntityKind.PHONE:
            parsed = phonenumbers.parse(entity.value, None)
            assert phonenumbers.is_valid_number(parsed)
            assert entity.value == phonenumbers.format_number(
                phonenumbers.parse(entity.text, "DE"), phonenumbers.PhoneNumberFormat.E164
            )


def test_entity_spans_point_at_their_text() -> None:
    text = "KD-104711 hat am 3. Mai 2026 1.234,56 € an DE89 3704 0044 0532 0130 00 gezahlt"
    entities = extract_entities(text, today=TODAY)
    assert len(entities) == 4
    assert all(text[e.start : e.end] == e.text for e in entities)


def test_iban_followed_by_more_digit_groups_is_cut_at_its_end() -> None:
    assert found("IBAN DE89 3704 0044 0532 0130 00 4711 0815 1234 5678", EntityKind.IBAN) == [
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000")
    ]


def test_a_year_near_an_order_word_is_no_order_number() -> None:
    assert found("Meine Bestellung aus 2024 ist kaputt", EntityKind.ORDER_NUMBER) == []
    assert found("Bestellung 1949 fehlt", EntityKind.ORDER_NUMBER) == [("1949", "1949")]


def test_tenant_pattern_groups_are_joined_without_the_demo_prefix() -> None:
    config = make_config(
        number_patterns=(NumberPattern(kind="customer_number", regex=r"\bK(\d{3})[ /](\d{4})\b"),)
    )
    entities = extract_entities("Kunde K123/4567", config=config, today=TODAY)
    assert [(e.kind, e.text, e.value) for e in entities] == [
        (EntityKind.CUSTOMER_NUMBER, "K123/4567", "123-4567")
    ]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # The digit-run and letter pre-checks must not hide a number next to shorter ones.
        ("Tel. 12 34, Kundennummer KD 104711", EntityKind.CUSTOMER_NUMBER, "KD-104711"),
        ("Rechnung re-2026-001234 vom 3.5.", EntityKind.INVOICE_NUMBER, "RE-2026-001234"),
        ("Gerät bw 2301004567 ist defekt", EntityKind.DEVICE_SERIAL, "BW2301004567"),
        ("Fall kv-2026-000123", EntityKind.CASE_NUMBER, "KV-2026-000123"),
        ("Auftrag 4711 von 12 Uhr", EntityKind.ORDER_NUMBER, "4711"),
    ],
)
def test_shared_formats_are_found_in_any_case_next_to_short_numbers(
    text: str, kind: EntityKind, value: str
) -> None:
    found = [(e.kind, e.value) for e in extract_entities(text, today=TODAY)]
    assert (kind, value) in found
