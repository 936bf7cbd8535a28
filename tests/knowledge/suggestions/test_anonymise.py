"""anonymise_answer: another customer's answer made fit for this case (pure, no database)."""

from __future__ import annotations

from kundenversteher.knowledge.suggestions import anonymise_answer, core


def test_formal_greeting_becomes_neutral_with_the_full_name_and_numbers_become_placeholders():
    text = (
        "Sehr geehrte Frau Meier,\n\nIhr Vertrag WV-200123 endet am 31.12.2026, die Rechnung "
        "RE-2026-001234 über 129,90 € geht an meier@example.de.\n\nMit freundlichen Grüßen\n"
        "Ben Koch"
    )

    body, placeholders = anonymise_answer(
        text,
        language="de",
        other_agent="Ben Koch",
        agent="Anna Berger",
        other_customer_names=("Maria", "Meier"),
        customer_first_name="Clara",
        customer_full_name="Clara Schmidt",
    )

    assert body == (
        "Guten Tag Clara Schmidt,\n\nIhr Vertrag [Vertragsnummer] endet am [Datum], die "
        "Rechnung [Rechnungsnummer] über [Betrag] geht an [E-Mail].\n\nMit freundlichen "
        "Grüßen\nAnna Berger"
    )
    assert placeholders == (
        "[Vertragsnummer]",
        "[Datum]",
        "[Rechnungsnummer]",
        "[Betrag]",
        "[E-Mail]",
    )


def test_without_a_known_customer_the_greeting_gets_a_placeholder_and_names_elsewhere_go():
    text = "Hallo Olga,\n\nwie mit Frau Andere besprochen: Gerät BW2301004567, Tel. 030 1234567."

    body, placeholders = anonymise_answer(
        text,
        language="de",
        other_agent="",
        agent="Anna",
        other_customer_names=("Olga", "Andere"),
    )

    assert body == (
        "Hallo [Name],\n\nwie mit Frau [Name] besprochen: Gerät [Seriennummer], Tel. [Telefon]."
    )
    assert placeholders == ("[Name]", "[Seriennummer]", "[Telefon]")


def test_english_answers_get_english_placeholders_and_the_informal_first_name():
    text = "Hi John,\n\nyour order 4711 was shipped on 25 November 2026.\n\nKind regards\nBen"

    body, placeholders = anonymise_answer(
        text,
        language="en",
        other_agent="Ben",
        agent="Anna",
        other_customer_names=("John", "Smith"),
        customer_first_name="Clara",
        customer_full_name="Clara Schmidt",
    )

    assert body == (
        "Hi Clara,\n\nyour order [order number] was shipped on [date].\n\nKind regards\nAnna"
    )
    assert placeholders == ("[order number]", "[date]")


def test_a_greeting_without_a_name_stays_as_it_is():
    text = "Sehr geehrte Damen und Herren,\n\ndas Ersatzteil ist lieferbar."

    assert anonymise_answer(
        text, language="de", other_agent="", agent="Anna", other_customer_names=()
    ) == (text, ())


def test_core_ignores_greeting_closing_and_numbers():
    first = "Hallo Olga,\n\nIhre Bestellung 5123 kommt am 8. Dezember.\n\nViele Grüße\nBen"
    second = (
        "Guten Tag Max Muster,\n\nIhre Bestellung 77 kommt am 25.10.\n\n"
        "Mit freundlichen Grüßen\nAnna"
    )

    assert core(first) == "Ihre Bestellung 0 kommt am 0. 0."
    assert core(second) == "Ihre Bestellung 0 kommt am 0.0."


def test_formal_greeting_of_an_unknown_customer_becomes_a_neutral_one_with_a_placeholder():
    body, placeholders = anonymise_answer(
        "Sehr geehrter Herr Müller,\n\ndas Ersatzteil ist lieferbar.",
        language="de",
        other_agent="",
        agent="Anna",
        other_customer_names=("Müller",),
    )

    assert body == "Guten Tag [Name],\n\ndas Ersatzteil ist lieferbar."
    assert placeholders == ("[Name]",)
