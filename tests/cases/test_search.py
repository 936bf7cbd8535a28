"""Full-text search over cases (cases/search.py) on the database the suite runs on."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.db.models import Q

from kundenversteher.cases import search, services
from kundenversteher.cases.models import Case, Message
from kundenversteher.cases.search import (
    Term,
    case_search_filter,
    parse_query,
    postgres_tsquery,
    rebuild_search_index,
    sqlite_match_expression,
)
from kundenversteher.customers.models import Organisation
from tests.cases.factories import make_case, make_customer
from tests.conftest import is_postgres


def _subjects(condition: Q) -> set[str]:
    return set(Case.objects.filter(condition).values_list("subject", flat=True))


def found(query: str) -> set[str]:
    """Subjects of the matching cases. Every way PostgreSQL searches must find the same: by id
    after a probe (few matches), walking the case list (many matches: forced here by a
    threshold of 0) and row by row (few candidates)."""
    wide = _subjects(case_search_filter(query))
    with mock.patch.object(search, "SPARSE_MATCHES", 0):
        dense = _subjects(case_search_filter(query))
    narrow = _subjects(case_search_filter(query, few_candidates=True))
    assert (dense, narrow) == (wide, wide)
    return wide


def test_a_word_in_a_message_body_finds_the_case(db):
    make_case(subject="Anfrage", body_text="Die Wärmepumpe im Keller macht laute Geräusche.")
    make_case(subject="Rechnung", body_text="Bitte senden Sie mir die Rechnung erneut.")

    assert found("Geräusche") == {"Anfrage"}


def test_a_word_in_a_later_message_finds_the_case(db):
    case = make_case(subject="Anfrage", body_text="Guten Tag")
    services.add_message(case_id=case.pk, direction="inbound", body_text="Der Kompressor brummt.")

    assert found("Kompressor") == {"Anfrage"}


def test_a_word_prefix_finds_the_longer_word(db):
    make_case(subject="Anfrage", body_text="Die Wärmepumpe ist ausgefallen.")

    assert found("Wärmep") == {"Anfrage"}


def test_search_is_case_insensitive_and_keeps_eszett(db):
    make_case(subject="Adresse", body_text="Neue Anschrift: Hauptstraße 5")

    assert found("HAUPTSTRAßE") == {"Adresse"}


def test_a_word_in_the_subject_finds_the_case(db):
    make_case(subject="Heizkörper bleibt kalt", body_text="")
    make_case(subject="Rechnung", body_text="")

    assert found("Heizkörper") == {"Heizkörper bleibt kalt"}


def test_every_term_must_match_in_one_text(db):
    make_case(subject="A", body_text="Wärmepumpe defekt")
    make_case(subject="B", body_text="Wärmepumpe läuft prima")

    assert found("wärmepumpe defekt") == {"A"}


def test_the_customer_name_finds_the_case(db):
    make_case(subject="Von Müller", customer=make_customer("Müller", first_name="Jonas"))
    make_case(subject="Von Schmidt", customer=make_customer("Schmidt", first_name="Jonas"))

    assert found("müller") == {"Von Müller"}
    assert found("Jonas") == {"Von Müller", "Von Schmidt"}


def test_the_organisation_name_of_the_customer_finds_the_case(db):
    organisation = Organisation.objects.create(name="Installateur Huber GmbH")
    customer = make_customer("Berger")
    customer.organisation = organisation
    customer.save()
    make_case(subject="B2B", customer=customer)

    assert found("Huber") == {"B2B"}


def test_the_case_number_finds_the_case_exactly(db):
    case = make_case(subject="Gesucht", body_text="")
    make_case(subject="Andere", body_text="")

    assert found(case.number.lower()) == {"Gesucht"}


def test_an_invoice_number_matches_as_a_phrase(db):
    make_case(subject="Richtig", body_text="Zur Rechnung RE-2026-001234 habe ich eine Frage.")
    make_case(subject="Falsch", body_text="Rechnung RE-2025-999999 vom 2026-03-01 001234")

    assert found("RE-2026-001234") == {"Richtig"}


def test_fts_syntax_in_the_query_is_plain_text(db):
    make_case(subject="Anfrage", body_text="Guten Tag")

    for hostile in ("NEAR(a b", "a OR b", "x:* & !y", "'); DROP TABLE x;--", 'Tag" OR "x'):
        assert found(hostile) == set()
    assert found('"Guten*') == {"Anfrage"}


def test_an_empty_or_punctuation_only_query_does_not_restrict(db):
    make_case(subject="A")

    assert found("") == {"A"}
    assert found("  -- !! ") == {"A"}


def test_changed_message_text_leaves_the_index(db):
    """Erasure (privacy) rewrites body_text with a queryset update: the old words must vanish."""
    case = make_case(subject="Anfrage", body_text="Meine IBAN lautet Schlumpfhausen")
    Message.objects.filter(case=case).update(body_text="[gelöscht]")

    assert found("Schlumpfhausen") == set()
    assert found("gelöscht") == {"Anfrage"}


def test_deleted_cases_leave_the_index(db):
    case = make_case(subject="Weg damit", body_text="Einmaliges Wort Quarkspeise")
    Case.objects.filter(pk=case.pk).delete()

    assert found("Quarkspeise") == set()
    assert found("Weg") == set()


def test_rebuilding_the_index_keeps_the_results(db):
    make_case(subject="Anfrage", body_text="Der Kompressor brummt.")

    rebuild_search_index()

    assert found("Kompressor") == {"Anfrage"}


@pytest.mark.skipif(is_postgres(), reason="SQLite FTS5 triggers")
def test_sqlite_triggers_exist_after_all_migrations(db):
    """A later migration that rebuilds a table drops triggers silently: this notices."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")
        names = {row[0] for row in cursor.fetchall()}

    for table in ("cases_case_fts", "cases_message_fts"):
        assert {f"{table}_ai", f"{table}_ad", f"{table}_au"} <= names
    assert {
        "cases_case_received_at_kv",
        "cases_case_updated_at_kv",
        "cases_case_resolution_due_kv",
    } <= names


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL full-text indexes")
def test_postgres_indexes_exist_after_all_migrations(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'cases_%%'")
        names = {row[0] for row in cursor.fetchall()}

    assert {
        "cases_case_subject_fts",
        "cases_message_body_text_fts",
        "cases_case_received_at_kv",
        "cases_case_updated_at_kv",
        "cases_case_resolution_due_kv",
    } <= names


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL full-text indexes")
def test_postgres_finds_inflected_german_words(db):
    make_case(subject="Anfrage", body_text="Alle Heizungen im Haus sind kalt.")

    assert found("Heizung") == {"Anfrage"}


def test_parse_query_splits_terms_and_phrases():
    assert parse_query(' Wärmepumpe  RE-2026-001234 "x" ') == (
        Term(("wärmepumpe",), "Wärmepumpe"),
        Term(("re", "2026", "001234"), "RE-2026-001234"),
        Term(("x",), '"x"'),
    )


def test_query_texts_for_both_databases():
    terms = parse_query("Heizung RE-2026-1 a")

    assert sqlite_match_expression(terms) == '"heizung"* AND "re 2026 1" AND "a"'
    assert postgres_tsquery(terms, config="simple") == (
        "(to_tsquery('simple'::regconfig, %s) && phraseto_tsquery('simple'::regconfig, %s)"
        " && to_tsquery('simple'::regconfig, %s))",
        ["heizung:*", "RE-2026-1", "a"],
    )
