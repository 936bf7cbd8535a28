import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kundenversteher.api.models import Scope
from kundenversteher.cases.models import Case, Message, Role
from kundenversteher.customers.models import Customer
from kundenversteher.events.models import Event
from tests.api.factories import (
    bearer,
    make_admin,
    make_agent,
    make_customer,
    make_raw_case,
    make_team,
    make_token,
    make_user,
)

CASES = "/api/v1/cases/"


def post(client, url, data, secret):
    return client.post(url, data, content_type="application/json", headers=bearer(secret))


@pytest.fixture
def buchhaltung(db):
    return make_team("Buchhaltung", restricted=True)


@pytest.fixture
def ben(buchhaltung):
    return make_agent("ben", teams=[buchhaltung])


@pytest.fixture
def anna(db):
    return make_agent("anna", teams=[make_team("Vertrieb")])


def test_restricted_team_case_is_visible_to_its_member_and_a_404_for_others(
    client, ben, anna, buchhaltung
):
    case = make_raw_case(team=buchhaltung, subject="Rechnung RE-2026-001234 doppelt")
    _, ben_secret = make_token(ben)
    _, anna_secret = make_token(anna)

    seen = client.get(f"{CASES}{case.id}", headers=bearer(ben_secret))
    hidden = client.get(f"{CASES}{case.id}", headers=bearer(anna_secret))
    missing = client.get(f"{CASES}{case.id + 1000}", headers=bearer(anna_secret))

    assert seen.status_code == 200
    assert seen.json()["subject"] == "Rechnung RE-2026-001234 doppelt"
    assert hidden.status_code == 404
    assert hidden.json() == missing.json()
    assert client.get(CASES, headers=bearer(anna_secret)).json()["count"] == 0
    assert client.get(CASES, headers=bearer(ben_secret)).json()["count"] == 1


def test_writes_on_a_hidden_case_are_404_and_change_nothing(client, ben, anna, buchhaltung):
    case = make_raw_case(team=buchhaltung)
    _, anna_secret = make_token(anna)
    events_before = Event.objects.count()

    note = post(client, f"{CASES}{case.id}/notes", {"body_text": "neugierig"}, anna_secret)
    status = post(client, f"{CASES}{case.id}/status", {"status": "open"}, anna_secret)

    assert (note.status_code, status.status_code) == (404, 404)
    case.refresh_from_db()
    assert (case.status, case.version) == ("new", 1)
    assert not Message.objects.exists()
    assert Event.objects.count() == events_before


def test_events_of_hidden_cases_are_not_listed(client, ben, anna, buchhaltung):
    hidden = make_raw_case(team=buchhaltung)
    Event.objects.create(
        kind="case.note_added", occurred_at=timezone.now(), actor_kind="system", case_id=hidden.id
    )
    _, anna_secret = make_token(anna)
    _, ben_secret = make_token(ben)

    anna_sees = client.get(f"/api/v1/events/?case_id={hidden.id}", headers=bearer(anna_secret))
    ben_sees = client.get(f"/api/v1/events/?case_id={hidden.id}", headers=bearer(ben_secret))

    assert anna_sees.json()["items"] == []
    assert [e["kind"] for e in ben_sees.json()["items"]] == ["case.note_added"]


def test_open_case_through_the_api_and_read_it_back(client, anna):
    _, secret = make_token(anna)
    customer = make_customer("Brenner")

    created = post(
        client,
        CASES,
        {
            "subject": "Wärmepumpe BW2301004567 zeigt F32",
            "customer_id": customer.id,
            "body_text": "Seit heute Fehler F32.",
            "priority": "high",
            "route": False,
        },
        secret,
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["subject"], body["priority"], body["channel"], body["status"]) == (
        "Wärmepumpe BW2301004567 zeigt F32",
        "high",
        "api",
        "new",
    )
    assert body["number"].startswith("KV-")
    detail = client.get(f"{CASES}{body['id']}", headers=bearer(secret)).json()
    assert [m["body_text"] for m in detail["messages"]] == ["Seit heute Fehler F32."]
    assert Event.objects.filter(kind="case.created", case_id=body["id"]).count() == 1


def test_message_note_and_status_change(client, anna):
    _, secret = make_token(anna)
    case = make_raw_case()

    reply = post(client, f"{CASES}{case.id}/messages", {"body_text": "Wir kümmern uns."}, secret)
    note = post(client, f"{CASES}{case.id}/notes", {"body_text": "Techniker fragen"}, secret)
    resolved = post(client, f"{CASES}{case.id}/status", {"status": "resolved"}, secret)

    assert (reply.status_code, note.status_code, resolved.status_code) == (201, 201, 200)
    assert reply.json()["direction"] == "outbound"
    assert note.json()["direction"] == "note"
    assert resolved.json()["status"] == "resolved"
    messages = client.get(f"/api/v1/messages/?case_id={case.id}", headers=bearer(secret)).json()
    assert [m["body_text"] for m in messages["items"]] == ["Wir kümmern uns.", "Techniker fragen"]


def test_illegal_status_change_is_409(client, anna):
    _, secret = make_token(anna)
    case = make_raw_case()

    response = post(client, f"{CASES}{case.id}/status", {"status": "closed"}, secret)

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    case.refresh_from_db()
    assert case.status == "new"


def test_second_assignment_with_a_stale_version_is_409(client, db):
    team = make_team("Service")
    lead = make_agent("lea", role=Role.SUPERVISOR, teams=[team])
    anna = make_agent("anna", teams=[team])
    ben = make_agent("ben", teams=[team])
    _, secret = make_token(lead)
    case = make_raw_case(team=team)

    first = post(
        client, f"{CASES}{case.id}/assign", {"agent_id": anna.id, "expected_version": 1}, secret
    )
    second = post(
        client, f"{CASES}{case.id}/assign", {"agent_id": ben.id, "expected_version": 1}, secret
    )

    assert first.status_code == 200
    assert first.json()["assignee_id"] == anna.id
    assert second.status_code == 409
    assert second.json()["code"] == "concurrent_update"
    assert "anna" in second.json()["detail"]
    case.refresh_from_db()
    assert (case.assignee_id, case.version) == (anna.id, 2)


def test_merge_moves_messages_into_the_target(client, anna):
    _, secret = make_token(anna)
    source, target = make_raw_case(subject="A"), make_raw_case(subject="B")
    post(client, f"{CASES}{source.id}/messages", {"body_text": "aus A"}, secret)

    merged = post(client, f"{CASES}{source.id}/merge", {"target_id": target.id}, secret)

    assert merged.status_code == 200
    assert merged.json()["id"] == target.id
    assert Case.objects.get(id=source.id).merged_into_id == target.id
    assert list(Message.objects.filter(case=target).values_list("body_text", flat=True)) == [
        "aus A"
    ]


def test_read_only_token_cannot_write(client, anna):
    _, secret = make_token(anna, scopes=[Scope.CASES_READ])
    case = make_raw_case()

    response = post(client, f"{CASES}{case.id}/notes", {"body_text": "x"}, secret)

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert not Message.objects.exists()


def test_invalid_payload_is_422_with_field_errors(client, anna):
    _, secret = make_token(anna)

    response = post(client, CASES, {"subject": "", "priority": "sofort"}, secret)

    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["type"] for e in response.json()["detail"]}
    assert errors == {
        ("body", "payload", "subject"): "string_too_short",
        ("body", "payload", "priority"): "literal_error",
    }
    assert not Case.objects.exists()


def test_malformed_json_is_a_client_error(client, anna):
    _, secret = make_token(anna)

    response = client.post(CASES, "{nope", content_type="application/json", headers=bearer(secret))

    assert response.status_code in {400, 422}
    assert not Case.objects.exists()


def test_oversized_body_is_413(client, anna, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    _, secret = make_token(anna)
    body = json.dumps({"subject": "x", "body_text": "a" * 5000})

    response = client.post(CASES, body, content_type="application/json", headers=bearer(secret))

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Case.objects.exists()


def test_pagination_and_filters(client, anna, db):
    _, secret = make_token(anna)
    team = make_team("Technik")
    for i in range(7):
        make_raw_case(team=team if i % 2 else None, subject=f"Anliegen {i}")
    Case.objects.filter(subject="Anliegen 3").update(priority="urgent", status="open")

    first = client.get(f"{CASES}?limit=3", headers=bearer(secret)).json()
    third = client.get(f"{CASES}?limit=3&offset=6", headers=bearer(secret)).json()
    by_team = client.get(f"{CASES}?team={team.id}", headers=bearer(secret)).json()
    urgent_open = client.get(
        f"{CASES}?priority=urgent&status=open&status=new", headers=bearer(secret)
    ).json()
    searched = client.get(f"{CASES}?q=Anliegen 5", headers=bearer(secret)).json()

    assert (first["count"], len(first["items"]), first["limit"], first["offset"]) == (7, 3, 3, 0)
    assert [c["subject"] for c in first["items"]] == ["Anliegen 6", "Anliegen 5", "Anliegen 4"]
    assert [c["subject"] for c in third["items"]] == ["Anliegen 0"]
    assert sorted(c["subject"] for c in by_team["items"]) == [
        "Anliegen 1",
        "Anliegen 3",
        "Anliegen 5",
    ]
    assert [c["subject"] for c in urgent_open["items"]] == ["Anliegen 3"]
    assert [c["subject"] for c in searched["items"]] == ["Anliegen 5"]


def test_created_after_and_before_filter(client, anna):
    _, secret = make_token(anna)
    old, new = make_raw_case(subject="alt"), make_raw_case(subject="neu")
    Case.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=10))
    cutoff = (timezone.now() - timedelta(days=1)).isoformat()

    after = client.get(CASES, {"created_after": cutoff}, headers=bearer(secret)).json()
    before = client.get(CASES, {"created_before": cutoff}, headers=bearer(secret)).json()

    assert [c["id"] for c in after["items"]] == [new.id]
    assert [c["id"] for c in before["items"]] == [old.id]


def test_page_size_above_the_maximum_is_422(client, anna):
    _, secret = make_token(anna)

    response = client.get(f"{CASES}?limit=101", headers=bearer(secret))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_session_login_uses_the_api_with_csrf(db, anna):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(anna)
    case = make_raw_case()

    read = browser.get(f"{CASES}{case.id}")
    no_csrf = browser.post(
        f"{CASES}{case.id}/notes", {"body_text": "x"}, content_type="application/json"
    )
    browser.get("/", follow=True)  # every workspace page renders a form: sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    with_csrf = browser.post(
        f"{CASES}{case.id}/notes",
        {"body_text": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert read.status_code == 200
    assert no_csrf.status_code == 403
    assert with_csrf.status_code == 201


def test_admin_sees_restricted_cases(client, buchhaltung):
    _, secret = make_token(make_admin())
    case = make_raw_case(team=buchhaltung)

    assert client.get(f"{CASES}{case.id}", headers=bearer(secret)).status_code == 200


def test_portal_customer_sees_own_case_without_internal_notes(client, anna):
    clara_user = make_user("clara")
    clara = make_customer("Clara")
    Customer.objects.filter(id=clara.id).update(user=clara_user)
    case = make_raw_case()
    Case.objects.filter(id=case.id).update(customer=clara)
    other = make_raw_case()
    _, agent_secret = make_token(anna)
    post(client, f"{CASES}{case.id}/messages", {"body_text": "Antwort"}, agent_secret)
    post(client, f"{CASES}{case.id}/notes", {"body_text": "intern"}, agent_secret)
    _, clara_secret = make_token(clara_user, scopes=[Scope.CASES_READ])

    own = client.get(f"{CASES}{case.id}", headers=bearer(clara_secret))
    foreign = client.get(f"{CASES}{other.id}", headers=bearer(clara_secret))
    messages = client.get(f"/api/v1/messages/?case_id={case.id}", headers=bearer(clara_secret))

    assert own.status_code == 200
    assert [m["body_text"] for m in own.json()["messages"]] == ["Antwort"]
    assert [m["body_text"] for m in messages.json()["items"]] == ["Antwort"]
    assert foreign.status_code == 404


def test_message_with_attachment_upload(client, anna, settings):
    _, secret = make_token(anna)
    case = make_raw_case()
    pdf = SimpleUploadedFile("rechnung.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")

    response = client.post(
        f"{CASES}{case.id}/messages/upload",
        {"body_text": "Rechnung anbei", "files": [pdf]},
        headers=bearer(secret),
    )

    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert (attachment["original_filename"], attachment["content_type"]) == (
        "rechnung.pdf",
        "application/pdf",
    )


def test_oversized_attachment_is_refused_and_nothing_is_stored(client, anna, settings):
    settings.KV_MAX_ATTACHMENT_BYTES = 100
    _, secret = make_token(anna)
    case = make_raw_case()
    big = SimpleUploadedFile(
        "foto.png", b"\x89PNG\r\n\x1a\n" + b"0" * 500, content_type="image/png"
    )

    response = client.post(
        f"{CASES}{case.id}/messages/upload",
        {"body_text": "Foto", "files": [big]},
        headers=bearer(secret),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "attachment_rejected"
    assert not Message.objects.exists()
