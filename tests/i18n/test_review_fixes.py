"""The gaps of the translation review stay closed: contexts, plurals and formerly unmarked strings.

German stays the source language, so every English assertion has its German counterpart.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import ngettext

from kundenversteher.cases.calendars import parse_weekly_hours
from kundenversteher.cases.models import Case, SLAAlert
from kundenversteher.customers import services
from kundenversteher.customers.errors import (
    IdentityInUseError,
    InvalidCustomerDataError,
    InvalidIdentityError,
)
from kundenversteher.customers.identity import identify, normalise_customer_number
from kundenversteher.customers.models import CustomerIdentity, Order
from kundenversteher.customers.types import MatchMethod
from kundenversteher.events.models import Event
from kundenversteher.lib.models import PeriodicJob
from tests.customers.factories import make_contract, make_customer

pytestmark = pytest.mark.usefixtures("catalogues")


def label(model: type, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)  # type: ignore[attr-defined]


def test_one_case_many_cases_and_the_cases_app_have_their_own_english_names() -> None:
    with translation.override("en"):
        names = (
            str(Case._meta.verbose_name),
            str(Case._meta.verbose_name_plural),
            str(apps.get_app_config("cases").verbose_name),
        )
    with translation.override("de"):
        german = (
            str(Case._meta.verbose_name),
            str(Case._meta.verbose_name_plural),
            str(apps.get_app_config("cases").verbose_name),
        )

    assert names == ("Case", "Cases", "Cases")
    assert german == ("Anliegen", "Anliegen", "Anliegen")


def test_a_verified_identity_and_a_confirmed_order_are_told_apart_in_english() -> None:
    with translation.override("en"):
        assert label(CustomerIdentity, "verified") == "verified"
        assert str(Order.Status.CONFIRMED.label) == "confirmed"
    with translation.override("de"):
        assert label(CustomerIdentity, "verified") == "bestätigt"
        assert str(Order.Status.CONFIRMED.label) == "bestätigt"


def test_the_admin_count_of_changed_cases_has_a_singular_and_a_plural() -> None:
    def changed(count: int) -> str:
        return ngettext("%(count)d Anliegen geändert.", "%(count)d Anliegen geändert.", count) % {
            "count": count
        }

    with translation.override("en"):
        assert (changed(1), changed(3)) == ("1 case updated.", "3 cases updated.")
    with translation.override("de"):
        assert (changed(1), changed(3)) == ("1 Anliegen geändert.", "3 Anliegen geändert.")


def test_an_identity_match_reason_is_written_in_the_active_language(db: None) -> None:
    make_customer("Schmidt", first_name="Anna", email="anna.schmidt@example.de")

    with translation.override("en"):
        english = identify(email="anna.schmidt@example.de")
    with translation.override("de"):
        german = identify(email="anna.schmidt@example.de")

    assert english is not None
    assert german is not None
    assert (
        english.reason == "The sender address anna.schmidt@example.de is on file for the customer."
    )
    assert german.reason == "Absenderadresse anna.schmidt@example.de ist beim Kunden hinterlegt."


def test_a_contract_number_match_keeps_its_method_when_the_reason_is_english(db: None) -> None:
    # The method used to be read back from the German label ("Vertrag …").
    anna = make_customer("Schmidt", first_name="Anna")
    make_contract(anna, number="WV-200123")

    with translation.override("en"):
        match = identify(numbers={"contract_number": ["WV-200123"]})

    assert match is not None
    assert (match.customer_id, match.method) == (anna.id, MatchMethod.CONTRACT_NUMBER)
    assert match.reason == "contract WV-200123 belongs to this customer."


def test_customers_errors_and_their_field_messages_render_in_english(db: None) -> None:
    anna = make_customer("Schmidt", first_name="Anna", email="anna.schmidt@example.de")
    jens = make_customer("Müller", first_name="Jens")

    with translation.override("en"), pytest.raises(InvalidCustomerDataError) as refused:
        services.update_customer(customer_id=anna.id, changes={"merged_into": "1"})
    with translation.override("en"), pytest.raises(IdentityInUseError) as taken:
        services.add_identity(
            customer_id=jens.id, kind=CustomerIdentity.Kind.EMAIL, value="anna.schmidt@example.de"
        )

    assert str(refused.value) == "These fields cannot be changed here."
    assert refused.value.errors == {"merged_into": ["cannot be changed"]}
    assert str(taken.value) == (
        f"Email anna.schmidt@example.de already belongs to another customer (no. {anna.id}). "
        "Merge the customers if appropriate."
    )


def test_an_invalid_customer_number_is_explained_in_english_and_german() -> None:
    with translation.override("en"), pytest.raises(InvalidIdentityError) as english:
        normalise_customer_number("KD-12")
    with translation.override("de"), pytest.raises(InvalidIdentityError) as german:
        normalise_customer_number("KD-12")

    assert str(english.value) == (
        "“KD-12” is not a valid customer number (expected KD- and 6 digits, e.g. KD-104711)."
    )
    assert str(german.value) == (
        "„KD-12“ ist keine gültige Kundennummer (erwartet KD- und 6 Ziffern, z. B. KD-104711)."
    )


def test_calendar_validation_messages_render_in_english() -> None:
    with (
        translation.override("en"),
        pytest.raises(
            ValueError, match=r"^Opening hours 17:00–08:00 are empty or end before they begin\.$"
        ),
    ):
        parse_weekly_hours({"0": [["17:00", "08:00"]]})
    with (
        translation.override("en"),
        pytest.raises(ValueError, match=r"^Weekday 7 is not between 0 and 6\.$"),
    ):
        parse_weekly_hours({"7": [["08:00", "17:00"]]})


def test_formerly_raw_field_names_have_german_and_english_labels() -> None:
    fields = [
        (Event, "actor_kind"),
        (Event, "payload"),
        (PeriodicJob, "next_run_at"),
        (SLAAlert, "due_at"),
        (SLAAlert, "created_at"),
    ]
    with translation.override("en"):
        english = [label(model, field) for model, field in fields]
        infrastructure = str(apps.get_app_config("kv_lib").verbose_name)
    with translation.override("de"):
        german = [label(model, field) for model, field in fields]

    assert english == ["Actor type", "Data", "next run", "due at", "created at"]
    assert german == ["Art des Auslösers", "Daten", "nächster Lauf", "fällig am", "erstellt am"]
    assert infrastructure == "Kundenversteher – infrastructure"
