"""The inbox's row endpoint (live updates) and bulk actions."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from kundenversteher.cases import services
from kundenversteher.cases.models import Case
from kundenversteher.events.models import Event
from kundenversteher.workspace.inbox import BulkResult, bulk_result_message
from tests.cases.factories import Personas, make_case, make_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


def login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def restricted_case(personas: Personas) -> Case:
    case = make_case(subject="Lohnabrechnung")
    Case.objects.filter(pk=case.pk).update(team=personas.buchhaltung)
    return case


def assign(case: Case, user: object) -> Case:
    return services.assign_case(
        case_id=case.pk, agent_id=user.pk, by=user, expected_version=case.version
    )


# ---------------------------------------------------------------------------- row endpoint


def test_the_row_of_a_case_in_the_view_is_returned(personas, client):
    case = make_case(subject="Neu da")
    login(client, personas.anna)

    response = client.get(f"/inbox/row/{case.pk}/", {"view": "unassigned"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="case-row-{case.pk}"')
    assert case.number in html
    assert "Neu da" in html


def test_a_visible_case_outside_the_view_answers_204(personas, client):
    case = make_case(subject="Nicht meins")
    login(client, personas.anna)

    assert client.get(f"/inbox/row/{case.pk}/", {"view": "mine"}).status_code == 204
    assert client.get(f"/inbox/row/{case.pk}/", {"view": "unassigned"}).status_code == 200
    filtered = client.get(f"/inbox/row/{case.pk}/", {"view": "unassigned", "q": "Rechnung"})
    assert filtered.status_code == 204


def test_a_case_that_moved_out_of_the_view_answers_204(personas, client):
    case = make_case(subject="Frei")
    login(client, personas.anna)
    assign(case, personas.sabine)

    assert client.get(f"/inbox/row/{case.pk}/", {"view": "unassigned"}).status_code == 204


def test_an_invisible_case_answers_404_like_a_missing_one(personas, client):
    secret = restricted_case(personas)
    login(client, personas.anna)

    invisible = client.get(f"/inbox/row/{secret.pk}/", {"view": "unassigned"})
    missing = client.get("/inbox/row/999999/", {"view": "unassigned"})

    assert invisible.status_code == 404
    assert missing.status_code == 404
    assert login(Client(), personas.ben).get(f"/inbox/row/{secret.pk}/").status_code == 204
    assert (
        login(Client(), personas.ben).get(f"/inbox/row/{secret.pk}/", {"view": "teams"}).status_code
        == 200
    )


def test_the_row_endpoint_refuses_the_all_view_to_agents(personas, client):
    case = make_case(subject="Frei")
    login(client, personas.anna)

    assert client.get(f"/inbox/row/{case.pk}/", {"view": "all"}).status_code == 403


# ---------------------------------------------------------------------------- bulk actions


def bulk(client: Client, cases: list[Case], action: str, **extra: str) -> list[str]:
    data = {"case": [str(c.pk) for c in cases], "action": action, "next": "/inbox/?view=all"}
    response = client.post("/inbox/bulk/", {**data, **extra})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/?view=all"
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_bulk_assign_to_me_skips_a_closed_case(personas, client):
    first = make_case(subject="Eins")
    second = make_case(subject="Zwei")
    closed = make_case(subject="Zu")
    services.change_status(case_id=closed.pk, status="resolved", by=personas.sabine)
    services.change_status(case_id=closed.pk, status="closed", by=personas.sabine)
    login(client, personas.anna)

    result = bulk(client, [first, second, closed], "assign_me")

    assert result == [f"2 Anliegen zugewiesen, 1 übersprungen: {closed.number} (geschlossen)"]
    assert set(Case.objects.filter(assignee=personas.anna).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert Case.objects.get(pk=closed.pk).assignee_id is None
    assert Event.objects.filter(kind="case.assigned").count() == 2


def test_bulk_skips_invisible_cases_without_naming_them(personas, client):
    secret = restricted_case(personas)
    visible = make_case(subject="Sichtbar")
    login(client, personas.anna)

    result = bulk(client, [visible, secret], "assign_me")

    assert result == ["1 Anliegen zugewiesen, 1 übersprungen: 1 weiteres"]
    assert Case.objects.get(pk=secret.pk).assignee_id is None


def test_agents_cannot_bulk_assign_to_someone_else(personas, client):
    case = make_case(subject="Frei")
    login(client, personas.anna)

    result = bulk(client, [case], "assign", agent=str(personas.sabine.pk))

    assert result == [
        f"0 Anliegen zugewiesen, 1 übersprungen: {case.number} "
        "(Nur die Teamleitung darf Anliegen anderen zuweisen.)"
    ]
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_supervisors_bulk_assign_to_an_agent(personas, client):
    cases = [make_case(subject="A"), make_case(subject="B")]
    login(client, personas.sabine)

    result = bulk(client, cases, "assign", agent=str(personas.anna.pk))

    assert result == ["2 Anliegen zugewiesen"]
    assert Case.objects.filter(assignee=personas.anna).count() == 2


def test_bulk_release_frees_my_cases(personas, client):
    case = assign(make_case(subject="Meins"), personas.anna)
    login(client, personas.anna)

    assert bulk(client, [case], "release") == ["1 Anliegen freigegeben"]
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_bulk_status_reports_illegal_transitions(personas, client):
    new = make_case(subject="Neu")
    closed = make_case(subject="Zu")
    services.change_status(case_id=closed.pk, status="resolved", by=personas.sabine)
    services.change_status(case_id=closed.pk, status="closed", by=personas.sabine)
    login(client, personas.anna)

    result = bulk(client, [new, closed], "status", status="waiting_customer")

    assert result == [
        "Status von 1 Anliegen gesetzt, 1 übersprungen: "
        f"{closed.number} (Statuswechsel von »closed« nach »waiting_customer« ist nicht erlaubt.)"
    ]
    assert Case.objects.get(pk=new.pk).status == "waiting_customer"


def test_bulk_priority(personas, client):
    cases = [make_case(subject="A"), make_case(subject="B")]
    login(client, personas.anna)

    assert bulk(client, cases, "priority", priority="urgent") == [
        "Priorität von 2 Anliegen gesetzt"
    ]
    assert set(Case.objects.values_list("priority", flat=True)) == {"urgent"}


def test_bulk_without_a_selection_or_parameter_changes_nothing(personas, client):
    case = make_case(subject="A")
    login(client, personas.sabine)

    assert bulk(client, [], "assign_me") == ["Bitte wählen Sie mindestens ein Anliegen aus."]
    # A new session: messages not yet shown would otherwise pile up.
    assert bulk(login(Client(), personas.sabine), [case], "status") == [
        "Bitte wählen Sie einen Status."
    ]
    assert Case.objects.get(pk=case.pk).version == case.version


def test_bulk_requires_csrf(personas):
    case = make_case(subject="A")
    client = login(Client(enforce_csrf_checks=True), personas.anna)

    response = client.post("/inbox/bulk/", {"case": [str(case.pk)], "action": "assign_me"})

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_bulk_redirects_only_into_the_inbox(personas, client):
    case = make_case(subject="A")
    login(client, personas.anna)

    for target in ("https://evil.example/inbox/", "//evil.example/inbox/", "/admin/"):
        response = client.post(
            "/inbox/bulk/", {"case": [str(case.pk)], "action": "priority", "next": target}
        )
        assert response["Location"] == "/inbox/"


def test_customers_cannot_use_bulk_actions(personas, client):
    case = make_case(subject="A", customer=personas.clara_customer)
    login(client, personas.clara)

    response = client.post("/inbox/bulk/", {"case": [str(case.pk)], "action": "assign_me"})

    assert response.status_code == 403


def test_the_result_message_names_at_most_five_skipped_cases():
    result = BulkResult(done=3, skipped=[(f"KV-2026-00000{i}", "geschlossen") for i in range(7)])

    assert bulk_result_message("assign_me", result) == (
        "3 Anliegen zugewiesen, 7 übersprungen: KV-2026-000000 (geschlossen); "
        "KV-2026-000001 (geschlossen); KV-2026-000002 (geschlossen); "
        "KV-2026-000003 (geschlossen); KV-2026-000004 (geschlossen); 2 weitere"
    )
