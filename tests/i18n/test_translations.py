"""Representative strings of each app render in English under "en" and stay German under "de".

The ``catalogues`` fixture compiles the .po files into a temporary folder first, so these tests
do not depend on ``make messages`` having run.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from kundenversteher.cases.errors import IllegalTransition
from kundenversteher.cases.models import Case, Priority, RoutingDecision
from kundenversteher.cases.routing import route_case
from kundenversteher.customers.models import Contract, Customer, Order, validate_vat_id
from kundenversteher.events.models import Event
from kundenversteher.lib.models import PeriodicJob
from kundenversteher.privacy.models import AuditEntry
from tests.cases.factories import make_agent, make_case, make_rule, make_team

pytestmark = pytest.mark.usefixtures("catalogues")

NOW = datetime(2026, 6, 8, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def status_label(value: str) -> str:
    return str(dict(Case._meta.get_field("status").choices or [])[value])


def test_case_model_names_and_labels_render_in_english() -> None:
    with translation.override("en"):
        assert str(Case._meta.verbose_name) == "Case"
        assert str(Case._meta.get_field("intent").verbose_name) == "Intent"
        assert str(Case._meta.get_field("first_response_due").verbose_name) == (
            "First response due"
        )
        assert status_label("waiting_customer") == "waiting for customer"
        assert str(Priority.URGENT.label) == "urgent"


def test_case_model_names_and_labels_stay_german_under_de() -> None:
    with translation.override("de"):
        assert str(Case._meta.verbose_name) == "Anliegen"
        assert str(Case._meta.get_field("intent").verbose_name) == "Anliegen-Art"
        assert status_label("waiting_customer") == "wartet auf Kunde"
        assert str(Priority.URGENT.label) == "dringend"


def test_a_cases_error_keeps_its_placeholders_in_english() -> None:
    with translation.override("en"):
        english = str(IllegalTransition("closed", "open"))
    with translation.override("de"):
        german = str(IllegalTransition("closed", "open"))

    assert english == "Changing the status from “closed” to “open” is not allowed."
    assert german == "Statuswechsel von »closed« nach »open« ist nicht erlaubt."


def routed() -> RoutingDecision:
    team = make_team("Buchhaltung")
    make_agent("ben", teams=[team], skills={"invoice_copy": 5})
    make_rule("Rechnungen", team=team, intents=["invoice_copy"])
    case = make_case(intent="invoice_copy", now=NOW)
    return route_case(case_id=case.pk, now=NOW)


def test_routing_reasons_are_written_in_the_active_language(db: None) -> None:
    with translation.override("en"):
        decision = routed()

    assert decision.reason_texts == [
        "Rule “Rechnungen” matched: intent invoice_copy",
        "Ben: language de, skill invoice_copy level 5, 0/10 open cases",
    ]


def test_routing_reasons_stay_german_under_de(db: None) -> None:
    with translation.override("de"):
        decision = routed()

    assert decision.reason_texts == [
        "Regel »Rechnungen« passte: Anliegen invoice_copy",
        "Ben: Sprache de, Fähigkeit invoice_copy Stufe 5, 0/10 offene Fälle",
    ]


def test_customer_strings_render_in_english() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_vat_id("DE000")

    with translation.override("en"):
        assert caught.value.messages == ["“DE000” is not a valid VAT ID."]
        assert str(Customer._meta.verbose_name_plural) == "Customers"
        assert (
            str(Contract._meta.get_field("notice_period_days").verbose_name)
            == "Notice period (days)"
        )
        assert str(Contract.Type.MAINTENANCE.label) == "Maintenance contract"
        assert str(Order.Status.SHIPPED.label) == "shipped"
    with translation.override("de"):
        assert caught.value.messages == ["„DE000“ ist keine gültige USt-IdNr."]
        assert str(Contract.Type.MAINTENANCE.label) == "Wartungsvertrag"


def test_privacy_events_and_lib_strings_render_in_english() -> None:
    with translation.override("en"):
        assert str(AuditEntry.Action.ERASE.label) == "personal data erased"
        assert str(AuditEntry._meta.verbose_name_plural) == "Audit log"
        assert str(Event._meta.verbose_name_plural) == "Events"
        assert str(Event.ActorKind.CUSTOMER.label) == "Customer"
        assert str(PeriodicJob._meta.verbose_name) == "periodic job"
        assert str(Customer._meta.get_field("updated_at").verbose_name) == "updated at"
    with translation.override("de"):
        assert str(AuditEntry.Action.ERASE.label) == "personenbezogene Daten gelöscht"
        assert str(Event._meta.verbose_name_plural) == "Ereignisse"
        assert str(PeriodicJob._meta.verbose_name) == "periodischer Job"


def test_app_and_language_names_render_in_english() -> None:
    from django.apps import apps

    with translation.override("en"):
        names = {str(config.verbose_name) for config in apps.get_app_configs()}
        languages = [str(name) for _code, name in settings.LANGUAGES]

    assert {"Data protection", "Event log", "Customers"} <= names
    assert languages == ["German", "English"]
