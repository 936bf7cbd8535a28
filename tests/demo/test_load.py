"""The demo command: loads the known demo facts, is idempotent, resets and exports."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from kundenversteher.cases.models import Case, Message, Team
from kundenversteher.customers.models import Customer, Order
from kundenversteher.demo import company, history, services
from kundenversteher.demo.management.commands.kv_demo import Command
from kundenversteher.demo.texts import INTENTS
from kundenversteher.events.models import Event
from tests.demo.factories import make_real_customer


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command(Command(), "--size", "tiny", "--no-train", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "cases": Case.objects.count(),
        "messages": Message.objects.count(),
        "events": Event.objects.count(),
        "teams": Team.objects.count(),
    }


def test_tiny_demo_loads_the_configured_amounts(db):
    run_demo()
    spec = services.SIZES["tiny"]
    assert Customer.objects.count() == spec.customers
    assert Order.objects.count() == spec.orders
    assert Case.objects.count() == spec.cases
    assert set(Team.objects.values_list("name", flat=True)) == {t.name for t in company.TEAMS}
    assert Case.objects.filter(team__isnull=True, status="new").count() == spec.unassigned


def test_running_the_demo_twice_creates_nothing_new(db):
    run_demo()
    before = table_counts()
    output = run_demo()
    assert table_counts() == before
    assert "bereits geladen" in output


def test_reset_wipes_and_reloads_the_same_amounts(db):
    run_demo()
    before = table_counts()
    run_demo("--reset")
    after = table_counts()
    assert after["customers"] == before["customers"]
    assert after["cases"] == before["cases"]
    assert after["teams"] == before["teams"]
    assert Order.objects.filter(number=company.CLARA.order_number).count() == 1


def test_reset_refuses_a_database_with_real_customers(db):
    run_demo()
    make_real_customer()
    with pytest.raises(CommandError, match="gehören nicht zur Demo-Firma"):
        run_demo("--reset")
    assert Customer.objects.filter(last_name="Echt").count() == 1


def test_clara_has_order_4711_shipped_with_a_tracking_number(db):
    run_demo()
    order = Order.objects.select_related("customer").get(number=4711)
    assert order.status == Order.Status.SHIPPED
    assert order.tracking_number == company.CLARA.tracking_number
    assert order.carrier == "DHL"
    assert order.customer.full_name == "Clara Schmidt"
    emails = set(order.customer.identities.filter(kind="email").values_list("value", flat=True))
    assert emails == {"clara.schmidt@example.de"}


def test_clara_asks_about_order_4711_in_an_open_case(db):
    run_demo()
    case = Case.objects.get(customer__user__username="clara", status="new", intent="order_status")
    assert "4711" in case.messages.get(direction="inbound").body_text


def test_demo_logins_authenticate_with_the_demo_password(db):
    output = run_demo()
    for username in ("admin", "sabine", "anna", "ben", "clara"):
        user = authenticate(username=username, password=company.DEMO_PASSWORD)
        assert user is not None, username
        assert f" {username}" in output
    assert authenticate(username="anna", password="falsch") is None
    clara = Customer.objects.get(user__username="clara")
    assert clara.full_name == "Clara Schmidt"


def test_history_has_past_timestamps_and_events(db):
    run_demo()
    closed = Case.objects.filter(status="closed")
    assert closed.exists()
    for case in closed:
        assert case.closed_at is not None
        assert case.first_responded_at is not None
        assert case.created_at < case.first_responded_at < case.closed_at
        kinds = set(Event.objects.filter(case_id=case.pk).values_list("kind", flat=True))
        assert {"case.created", "case.first_response", "case.resolved", "case.closed"} <= kinds


def test_export_training_writes_labelled_rows(db, tmp_path: Path):
    target = tmp_path / "train.csv"
    out = StringIO()
    call_command(Command(), "--export-training", str(target), "--samples", "340", stdout=out)
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 340
    assert set(rows[0]) == {"text", "intent", "language", "sentiment"}
    assert {r["intent"] for r in rows} == set(INTENTS)
    assert {r["language"] for r in rows} == {"de", "en"}
    assert "340 Trainingsbeispiele" in out.getvalue()


@pytest.mark.slow
def test_demo_trains_and_promotes_the_intent_model(db, settings, tmp_path: Path):
    settings.KV_MODEL_DIR = tmp_path / "models"
    out = StringIO()
    call_command(Command(), "--size", "tiny", "--train-samples", "400", "--seed", "5", stdout=out)
    report = tmp_path / "models" / "intents" / "report.json"
    assert report.is_file(), out.getvalue()
    assert "ist jetzt das aktuelle Modell" in out.getvalue()


def test_reset_without_a_demo_deletes_nothing(db):
    make_real_customer()
    output = run_demo("--reset")
    assert "nichts zu löschen" in output
    assert Customer.objects.filter(last_name="Echt").count() == 1


def test_bulk_cases_are_added_only_up_to_the_target(db):
    run_demo()
    assert history.bulk_load_cases(target=60, seed=3, customers=25, batch=25) == 60
    assert history.bulk_load_cases(target=60, seed=3, customers=25) == 0
    assert history.bulk_load_cases(target=70, seed=3, customers=25) == 10
    bulk = Case.objects.filter(tags__icontains=history.BULK_TAG)
    assert bulk.count() == 70
    assert Message.objects.filter(case__in=bulk).count() == 70
    sample = bulk.order_by("pk").first()
    assert sample is not None
    assert sample.tags[-1] == history.BULK_TAG
    assert sample.status == "closed"
    assert sample.created_at < sample.first_responded_at < sample.closed_at
    assert sample.messages.get().created_at == sample.created_at
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
