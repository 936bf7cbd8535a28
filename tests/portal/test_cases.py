""" "Meine Anliegen": own cases only, conversation without internal notes, reply with upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from kundenversteher.cases import queries as case_queries
from kundenversteher.cases import services as case_services
from kundenversteher.cases.models import Attachment, Case
from kundenversteher.cases.types import AttachmentUpload
from tests.cases.factories import Personas, make_personas
from tests.portal.factories import (
    agent_reply,
    make_customer_case,
    portal_login,
)


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def clara(db: None, personas: Personas, client: Client) -> Client:
    personas.clara.email = "clara.schmidt@example.de"
    personas.clara.save(update_fields=["email"])
    portal_login(client, "clara.schmidt@example.de")
    return client


def test_anonymous_visitors_are_sent_to_the_portal_login(db: None, client: Client) -> None:
    response = client.get("/portal/anliegen/KV-2026-000001/")

    assert response.status_code == 302
    assert response["Location"] == "/portal/anmelden/?next=/portal/anliegen/KV-2026-000001/"


def test_staff_get_403_in_the_portal_and_see_no_case(personas: Personas, client: Client) -> None:
    make_customer_case(personas.clara_customer, subject="Clara privat")
    client.force_login(personas.admin)

    response = client.get("/portal/anliegen/")

    assert response.status_code == 403
    assert "Clara privat" not in response.content.decode()


def test_my_cases_lists_only_own_cases_with_plain_status(personas: Personas, clara: Client) -> None:
    mine = make_customer_case(personas.clara_customer, subject="Heizung kalt")
    make_customer_case(personas.other_customer, subject="Olgas Rechnung")
    make_customer_case(None, subject="Ohne Kunde")
    case_services.change_status(case_id=mine.pk, status="waiting_customer", by=personas.admin)

    html = clara.get("/portal/anliegen/").content.decode()

    assert "Heizung kalt" in html
    assert mine.number in html
    assert "Wir warten auf Ihre Antwort" in html
    assert "Olgas Rechnung" not in html
    assert "Ohne Kunde" not in html
    assert '<th scope="col">Stand</th>' in html


def test_another_customers_case_number_answers_404(personas: Personas, clara: Client) -> None:
    other = make_customer_case(personas.other_customer, subject="Olgas Rechnung")

    assert clara.get(f"/portal/anliegen/{other.number}/").status_code == 404
    assert clara.get(f"/portal/anliegen/{other.number.lower()}/").status_code == 404
    assert clara.get("/portal/anliegen/KV-2026-999999/").status_code == 404
    reply = clara.post(f"/portal/anliegen/{other.number}/antworten/", {"body": "Hallo"})
    assert reply.status_code == 404
    assert other.messages.count() == 1


def test_the_conversation_leaves_out_internal_notes(personas: Personas, clara: Client) -> None:
    case = make_customer_case(personas.clara_customer)
    agent_reply(case, by=personas.anna, text="Wir schicken einen Techniker.")
    case_services.add_note(case_id=case.pk, body_text="Kundin schwierig, @sabine", by=personas.anna)

    html = clara.get(f"/portal/anliegen/{case.number}/").content.decode()

    assert "meine Wärmepumpe brummt" in html
    assert "Wir schicken einen Techniker." in html
    assert "Kundin schwierig" not in html


def test_a_reply_with_upload_reaches_the_agents_case(personas: Personas, clara: Client) -> None:
    case = make_customer_case(personas.clara_customer)
    agent_reply(case, by=personas.anna, text="Bitte schicken Sie ein Foto.")
    case_services.change_status(case_id=case.pk, status="waiting_customer", by=personas.anna)
    photo = SimpleUploadedFile("typenschild.txt", b"Seriennummer BW2301004567", "text/plain")

    response = clara.post(
        f"/portal/anliegen/{case.number}/antworten/",
        {"body": "Hier das Typenschild.", "attachments": [photo]},
        follow=True,
    )

    assert response.redirect_chain == [(f"/portal/anliegen/{case.number}/", 302)]
    assert "Vielen Dank, Ihre Nachricht ist bei uns eingegangen." in response.content.decode()
    seen_by_anna = case_queries.get_case_detail(user=personas.anna, case_id=case.pk)
    last = list(seen_by_anna.messages.all())[-1]
    assert (last.direction, last.body_text, last.author_id) == (
        "inbound",
        "Hier das Typenschild.",
        personas.clara.pk,
    )
    assert [a.original_filename for a in last.attachments.all()] == ["typenschild.txt"]
    assert seen_by_anna.status == "open"


def test_a_blocked_file_is_refused_and_the_text_kept(personas: Personas, clara: Client) -> None:
    case = make_customer_case(personas.clara_customer)
    virus = SimpleUploadedFile("rechnung.pdf.exe", b"MZ\x90\x00evil", "application/pdf")

    response = clara.post(
        f"/portal/anliegen/{case.number}/antworten/",
        {"body": "Anbei die Rechnung", "attachments": [virus]},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "gesperrten Dateityp (.exe)" in html
    assert "Anbei die Rechnung</textarea>" in html
    assert case.messages.count() == 1


def test_an_empty_reply_is_refused(personas: Personas, clara: Client) -> None:
    case = make_customer_case(personas.clara_customer)

    response = clara.post(f"/portal/anliegen/{case.number}/antworten/", {"body": "   "})

    assert response.status_code == 400
    assert "Bitte schreiben Sie eine Nachricht" in response.content.decode()
    assert case.messages.count() == 1


def test_a_closed_case_offers_no_reply_and_refuses_one(personas: Personas, clara: Client) -> None:
    case = make_customer_case(personas.clara_customer)
    case_services.change_status(case_id=case.pk, status="resolved", by=personas.anna)
    case_services.change_status(case_id=case.pk, status="closed", by=personas.anna)

    page = clara.get(f"/portal/anliegen/{case.number}/").content.decode()
    refused = clara.post(f"/portal/anliegen/{case.number}/antworten/", {"body": "Noch was"})

    assert "Dieses Anliegen ist abgeschlossen." in page
    assert 'name="body"' not in page
    assert refused.status_code == 400
    assert case.messages.count() == 1
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_attachments_download_only_from_own_visible_messages(
    personas: Personas, clara: Client
) -> None:
    case = make_customer_case(
        personas.clara_customer,
        attachments=[AttachmentUpload(filename="foto.txt", content=b"Brummen")],
        max_attachment_bytes=1000,
    )
    other = make_customer_case(
        personas.other_customer,
        attachments=[AttachmentUpload(filename="olga.txt", content=b"privat")],
        max_attachment_bytes=1000,
    )
    mine = Attachment.objects.get(message__case=case)
    olgas = Attachment.objects.get(message__case=other)

    ok = clara.get(f"/portal/anliegen/{case.number}/anhang/{mine.pk}/")
    foreign = clara.get(f"/portal/anliegen/{case.number}/anhang/{olgas.pk}/")
    foreign_by_number = clara.get(f"/portal/anliegen/{other.number}/anhang/{olgas.pk}/")

    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == b"Brummen"  # type: ignore[attr-defined]
    assert ok["Content-Disposition"] == 'attachment; filename="foto.txt"'
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert (foreign.status_code, foreign_by_number.status_code) == (404, 404)


def test_attachments_of_internal_notes_are_not_downloadable(
    personas: Personas, clara: Client
) -> None:
    case = make_customer_case(personas.clara_customer)
    note = case_services.add_note(case_id=case.pk, body_text="intern", by=personas.anna)
    hidden = Attachment.objects.create(
        message=note,
        file="cases/x/intern",
        original_filename="intern.txt",
        content_type="text/plain",
        size=6,
        sha256="0" * 64,
    )

    assert clara.get(f"/portal/anliegen/{case.number}/anhang/{hidden.pk}/").status_code == 404


def test_the_help_page_is_the_help_centre(db: None, client: Client) -> None:
    html = client.get("/portal/hilfe/").content.decode()

    assert "<h1>Hilfe-Center</h1>" in html
    assert 'aria-current="page"' in html


def test_pages_have_landmarks_skip_link_and_language_switch(db: None, client: Client) -> None:
    html = client.get("/portal/anmelden/").content.decode()

    assert '<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>' in html
    assert '<main id="inhalt"' in html
    assert "<header" in html
    assert "<nav" in html
    assert "<footer" in html
    assert 'name="language" value="en"' in html
    assert "<script" not in html
    assert "style=" not in html


def test_the_portal_speaks_english_on_request(db: None, client: Client) -> None:
    html = client.get("/portal/anmelden/", headers={"Accept-Language": "en"}).content.decode()

    assert '<html lang="en">' in html
    assert "Request sign-in link" in html
    assert "Anmeldelink anfordern" not in html


def test_many_cases_are_paginated(personas: Personas, clara: Client) -> None:
    for i in range(27):
        make_customer_case(personas.clara_customer, subject=f"Anliegen Nummer {i}")

    first = clara.get("/portal/anliegen/").content.decode()
    second = clara.get("/portal/anliegen/?seite=2").content.decode()

    assert first.count('<th scope="row">') == 25
    assert second.count('<th scope="row">') == 2
    assert "Seite 2 von 2" in second


def test_the_case_page_needs_the_same_queries_for_a_long_conversation(
    personas: Personas, clara: Client
) -> None:
    short = make_customer_case(personas.clara_customer, subject="kurz")
    long = make_customer_case(personas.clara_customer, subject="lang")
    for i in range(6):
        agent_reply(long, by=personas.anna, text=f"Antwort {i}")

    def queries(case: Case) -> int:
        executed: list[str] = []

        def count(execute: Any, sql: str, *args: Any) -> Any:
            executed.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            assert clara.get(f"/portal/anliegen/{case.number}/").status_code == 200
        return len(executed)

    assert queries(long) == queries(short)
