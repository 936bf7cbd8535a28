"""POST /api/v1/intake/messages and /documents: external forms and scanners."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kundenversteher.api.models import ApiToken
from kundenversteher.api.services import TOKEN_PREFIX, hash_secret
from kundenversteher.cases.models import Case, Channel, Message, Role
from kundenversteher.intake.models import InboundMessage
from tests.api.factories import bearer, make_agent, make_token
from tests.customers.factories import make_customer, make_portal_user
from tests.intake.factories import run

MESSAGES = "/api/v1/intake/messages"
DOCUMENTS = "/api/v1/intake/documents"


def _intake_token(user: object, secret: str = f"{TOKEN_PREFIX}intake-test-secret") -> str:
    """A token with the intake:write scope (created directly: older Scope lists lack it)."""
    ApiToken.objects.create(
        user=user,
        name="Website-Formular",
        prefix=secret[:12],
        secret_hash=hash_secret(secret),
        scopes=["intake:write"],
    )
    return secret


def _post(client, body: dict[str, object], secret: str):
    return client.post(
        MESSAGES, json.dumps(body), content_type="application/json", headers=bearer(secret)
    )


def _body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "from": "anna.schmidt@example.de",
        "name": "Anna Schmidt",
        "subject": "Rückruf erbeten",
        "text": "Meine Wärmepumpe macht laute Geräusche. Bitte rufen Sie mich zurück.",
        "external_id": "form-2026-17",
    }
    body.update(overrides)
    return body


@pytest.fixture
def website(db: None) -> str:
    return _intake_token(make_agent("website", role=Role.AGENT))


def test_a_message_is_accepted_with_202_and_filed_as_an_api_case(client, website):
    customer = make_customer("Schmidt", email="anna.schmidt@example.de")
    pdf = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()

    response = _post(
        client,
        _body(
            attachments=[
                {
                    "filename": "typenschild.pdf",
                    "content_type": "application/pdf",
                    "content_base64": pdf,
                }
            ]
        ),
        website,
    )
    inbound = InboundMessage.objects.get()
    outcome = run(inbound.pk)

    assert response.status_code == 202
    assert response.json() == {"id": inbound.pk, "state": "received", "duplicate": False}
    assert inbound.channel == Channel.API
    assert inbound.source == "api:website"
    assert (
        inbound.dedupe_key == f"api:{inbound.meta and ApiToken.objects.get().user_id}:form-2026-17"
    )
    case = Case.objects.get(pk=outcome.case_id)
    assert (case.channel, case.customer_id, case.subject) == (
        Channel.API,
        customer.pk,
        "Rückruf erbeten",
    )
    message = Message.objects.get(pk=outcome.message_id)
    assert [a.original_filename for a in message.attachments.all()] == ["typenschild.pdf"]


def test_the_same_external_id_again_answers_200_with_the_same_id(client, website):
    first = _post(client, _body(), website)
    inbound_id = first.json()["id"]
    run(inbound_id)

    again = _post(client, _body(text="Noch einmal gesendet"), website)

    assert again.status_code == 200
    assert again.json() == {"id": inbound_id, "state": "done", "duplicate": True}
    assert InboundMessage.objects.count() == 1


def test_a_token_without_the_intake_scope_is_refused(client, db):
    agent = make_agent("anna")
    _token, secret = make_token(agent, scopes=["cases:read"])

    response = _post(client, _body(), secret)

    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert not InboundMessage.objects.exists()


def test_without_credentials_the_answer_is_401(client, db):
    response = client.post(MESSAGES, json.dumps(_body()), content_type="application/json")

    assert response.status_code == 401
    assert not InboundMessage.objects.exists()


def test_a_customers_token_may_not_post_in_someone_elses_name(client, db):
    clara = make_portal_user("clara", email="clara@example.de")
    secret = _intake_token(clara)

    response = _post(client, _body(), secret)

    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_an_attachment_over_the_limit_is_refused_with_413(client, website, settings):
    settings.KV_MAX_ATTACHMENT_BYTES = 1024
    big = base64.b64encode(b"%PDF-1.4\n" + b"0" * 2048).decode()

    response = _post(
        client,
        _body(attachments=[{"filename": "plan.pdf", "content_base64": big}]),
        website,
    )

    assert response.status_code == 413
    assert response.json()["code"] == "attachment_too_large"
    assert not InboundMessage.objects.exists()


def test_a_request_body_over_the_server_limit_is_refused_with_413(client, website, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048

    response = _post(client, _body(text="x" * 4096), website)

    assert response.status_code == 413
    assert not InboundMessage.objects.exists()


def test_invalid_input_is_a_422_naming_the_field(client, website):
    response = _post(client, _body(**{"from": "keine-adresse"}), website)

    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == ["from"]


def test_a_scanned_letter_is_accepted_as_channel_letter(client, website):
    scan = SimpleUploadedFile("brief.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")

    response = client.post(
        DOCUMENTS,
        {
            "file": scan,
            "name": "Karl Huber",
            "subject": "Kündigung Wartungsvertrag",
            "external_id": "scan-1",
        },
        headers=bearer(website),
    )

    inbound = InboundMessage.objects.get()
    assert response.status_code == 202
    assert response.json() == {"id": inbound.pk, "state": "received", "duplicate": False}
    assert (inbound.channel, inbound.content_type, inbound.filename) == (
        Channel.LETTER,
        "application/pdf",
        "brief.pdf",
    )
    assert inbound.meta["subject"] == "Kündigung Wartungsvertrag"


def test_a_document_that_is_no_scan_is_refused_with_415(client, website):
    script = SimpleUploadedFile("brief.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf")

    response = client.post(DOCUMENTS, {"file": script}, headers=bearer(website))

    assert response.status_code == 415
    assert not InboundMessage.objects.exists()
