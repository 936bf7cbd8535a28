"""The case view: access, what it shows, and every action through a real POST with CSRF."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from PIL import Image

from kundenversteher.cases import services
from kundenversteher.cases.models import Case, Message, UnderstandingCorrection
from kundenversteher.cases.routing import route_case
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.intake.services import receive
from kundenversteher.intelligence.types import EntityKind
from tests.cases.factories import Personas, make_personas
from tests.customers.factories import make_contract, make_customer, make_device, make_order
from tests.workspace.case_view_factories import make_inbound_case, make_macro, make_understanding

BODY = "Guten Tag, wo bleibt meine Bestellung 4711? Kundennummer KD-104711. Dringend!"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def people(db: None) -> Personas:
    return make_personas()


def url(case: Case, suffix: str = "") -> str:
    return f"/cases/{case.number}/{suffix}"


def csrf_client(user: Any) -> Client:
    """A client that enforces CSRF like a browser: tokens come from a rendered page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post(client: Client, case: Case, suffix: str, data: dict[str, Any]) -> Any:
    page = client.get(url(case))
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    return client.post(url(case, suffix), {"csrfmiddlewaretoken": token, **data})


def full_case(people: Personas) -> Case:
    customer = make_customer("Schmidt", first_name="Clara", email="clara@example.de")
    make_order(customer, number=4711, promised_date=date(2026, 11, 27))
    make_contract(customer, number="WV-200123")
    make_device(customer, serial="BW2301004567")
    understanding = make_understanding(
        BODY,
        entities=[
            (EntityKind.ORDER_NUMBER, "4711", "4711"),
            (EntityKind.CUSTOMER_NUMBER, "KD-104711", "KD-104711"),
        ],
        cues=[("immediacy", "Dringend")],
    )
    return make_inbound_case(
        customer=customer,
        body_text=BODY,
        team=people.service,
        understanding=understanding,
        identity={
            "method": "customer_number",
            "confidence": 0.95,
            "reason": "Kundennummer KD-104711 im Text",
            "customer_id": customer.pk,
        },
    )


# --- access ------------------------------------------------------------------------------------


def test_restricted_team_case_is_404_for_an_outsider_on_every_case_url(people):
    case = make_inbound_case(team=people.buchhaltung, subject="Rechnung vertraulich")
    message = case.messages.get()
    client = Client()
    client.force_login(people.anna)

    for path in (
        url(case),
        url(case).lower(),
        url(case, f"macros/{make_macro().pk}/"),
        url(case, f"original/{message.pk}/"),
    ):
        assert client.get(path).status_code == 404, path
    for suffix in ("reply/", "note/", "assign/", "status/", "priority/", "correct/"):
        assert client.post(url(case, suffix), {"body": "x"}).status_code == 404, suffix
    assert Message.objects.filter(case=case).count() == 1


def test_guessing_neighbouring_numbers_reveals_nothing(people):
    hidden = make_inbound_case(team=people.buchhaltung)
    visible = make_inbound_case(team=people.service)
    client = Client()
    client.force_login(people.anna)

    missing = hidden.number[:-1] + "9"
    assert client.get(f"/cases/{missing}/").status_code == 404
    assert client.get(url(hidden)).content == client.get(f"/cases/{missing}/").content
    assert client.get(url(visible)).status_code == 200


def test_team_member_of_the_restricted_team_opens_its_case(people):
    case = make_inbound_case(team=people.buchhaltung, subject="Rechnung vertraulich")
    client = Client()
    client.force_login(people.ben)

    response = client.get(url(case))

    assert response.status_code == 200
    assert "Rechnung vertraulich" in response.content.decode()


def test_customer_gets_404_in_the_workspace_even_for_an_own_case(people):
    case = make_inbound_case(customer=people.clara_customer)
    client = Client()
    client.force_login(people.clara)

    assert client.get(url(case)).status_code == 404


def test_anonymous_user_is_sent_to_login(people):
    case = make_inbound_case()

    response = Client().get(url(case))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url(case)}"


def test_post_without_csrf_token_is_refused(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    response = client.post(url(case, "note/"), {"body": "ohne Token"})

    assert response.status_code == 403
    assert not Message.objects.filter(case=case, direction="note").exists()


# --- what the page shows ------------------------------------------------------------------------


def test_case_view_shows_header_timeline_understanding_and_customer_360(people):
    case = full_case(people)
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case)).content.decode()

    assert f'<h1 class="kv-case__subject">{case.subject}</h1>' in html
    assert "Guten Tag, wo bleibt meine Bestellung 4711? Kundennummer KD-104711. Dringend!" in html
    # understanding: intent with confidence, top 3, sentiment + emotion, urgency cue
    assert "<strong>Bestellstatus</strong> (82 % sicher)" in html
    assert 'Liefertermin <span class="kv-hint">11 %</span>' in html
    assert "negativ – Frust oder Enttäuschung" in html
    assert "sofort gebraucht: „Dringend“" in html
    assert (
        '<mark class="kv-entity kv-entity--order_number" title="Bestellnummer">4711'
        '<span class="kv-visually-hidden"> (Bestellnummer)</span></mark>'
    ) in html
    assert "Kundennummer (95 %) – Kundennummer KD-104711 im Text" in html
    # customer 360
    assert "<strong>WV-200123</strong>" in html
    assert '<th scope="row">4711</th>' in html
    assert "27.11.2026" in html
    assert "<strong>BW2301004567</strong>" in html
    assert "Noch keine Umfrageergebnisse" in html
    # keyboard shortcuts for B1's shortcuts.js
    for key in ('data-kv-key="r"', 'data-kv-key="n"', 'data-kv-key="a"', 'data-kv-key="s"'):
        assert key in html


def test_earlier_cases_list_only_cases_the_agent_may_see(people):
    case = full_case(people)
    earlier = make_inbound_case(customer=case.customer, subject="Früher offen", team=people.service)
    secret = make_inbound_case(
        customer=case.customer, subject="Früher vertraulich", team=people.buchhaltung
    )
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case)).content.decode()

    assert f'href="/cases/{earlier.number}/"' in html
    assert secret.number not in html
    assert "Früher vertraulich" not in html


def test_sla_countdown_carries_the_iso_due_time_and_paused_shows_angehalten(people):
    case = make_inbound_case(team=people.service)
    Case.objects.filter(pk=case.pk).update(resolution_due="2026-11-24T09:00:00Z")
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case)).content.decode()
    assert 'data-kv-due="2026-11-24T09:00:00+00:00"' in html
    assert '<span class="kv-hint">(24.11.2026 10:00)</span>' in html

    Case.objects.filter(pk=case.pk).update(sla_paused_at="2026-11-23T09:00:00Z")
    html = client.get(url(case)).content.decode()
    assert '<span class="kv-sla kv-sla--paused">angehalten</span>' in html
    assert "data-kv-due" not in html


def test_routing_reasons_are_shown_with_translated_code_labels(people):
    case = make_inbound_case()
    route_case(case_id=case.pk)
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case)).content.decode()

    assert "<strong>Standardteam</strong>" in html
    assert "Team Service" in html


def test_page_renders_in_english_on_request(people):
    case = full_case(people)
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case), headers={"Accept-Language": "en"}).content.decode()

    assert '<html lang="en">' in html


# --- hostile input -------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_in_subject_body_entities_and_customer_name_is_escaped(people, payload):
    customer = make_customer(payload, first_name=payload)
    text = f"Bestellung 4711 {payload} und {payload}\nzweite Zeile"
    case = make_inbound_case(
        customer=customer,
        subject=payload,
        body_text=text,
        team=people.service,
        understanding=make_understanding(
            text,
            entities=[(EntityKind.ORDER_NUMBER, "4711", payload)],
            cues=[("deadline", payload)],
        ),
        identity={"method": "email", "confidence": 1.0, "reason": payload, "customer_id": None},
    )
    services.add_note(case_id=case.pk, body_text=payload, by=people.anna)
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case)).content.decode()

    safe = escape(payload)
    assert payload not in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert f'<h1 class="kv-case__subject">{safe}</h1>' in html
    assert (
        f'<div class="kv-msg__body">Bestellung 4711 {safe} und {safe}<br>zweite Zeile</div>' in html
    )
    assert f'<div class="kv-msg__body">{safe}</div>' in html  # the note
    assert f"<strong>{safe} {safe}</strong>" in html  # customer 360 name
    assert f"– {safe}</p>" in html  # identity reason
    assert f"Frist: „{safe}“" in html  # urgency cue
    assert f"<td>4711</td><td>{safe}</td>" in html  # entity value
    assert f"</mark> {safe} und {safe}<br>\nzweite Zeile" in html  # highlighted text


def test_stored_html_is_only_shown_in_a_sandboxed_srcdoc_frame(people):
    case = make_inbound_case(team=people.service)
    services.add_message(
        case_id=case.pk,
        direction="inbound",
        body_text="Text",
        body_html='<p>Hallo</p><img src="https://tracker.example/p.gif">',
    )
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case)).content.decode()

    assert '<iframe sandbox="" referrerpolicy="no-referrer"' in html
    assert 'srcdoc="&lt;meta http-equiv=&quot;Content-Security-Policy&quot;' in html
    assert "<p>Hallo</p>" not in html


# --- actions -------------------------------------------------------------------------------------


def test_reply_is_stored_as_outbound_and_can_resolve_the_case(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    response = post(
        client,
        case,
        "reply/",
        {"body": "Ihre Bestellung ist unterwegs.", "status_after": "resolved"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url(case)}#timeline"
    reply = case.messages.get(direction="outbound")
    assert reply.body_text == "Ihre Bestellung ist unterwegs."
    assert reply.author_id == people.anna.pk
    case.refresh_from_db()
    assert case.status == "resolved"
    page = client.get(response["Location"]).content.decode()
    assert "Antwort gespeichert und zum Versand übergeben." in page


def test_reply_with_attachment_and_download_headers(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    post(
        client,
        case,
        "reply/",
        {"body": "Anbei", "attachments": SimpleUploadedFile("bild.png", PNG, "image/png")},
    )

    attachment = case.messages.get(direction="outbound").attachments.get()
    response = client.get(url(case, f"attachments/{attachment.pk}/"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bild.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    page = client.get(url(case)).content.decode()
    assert (
        '<img class="kv-attachments__preview" '
        f'src="/cases/{case.number}/attachments/{attachment.pk}/"' in page
    )


def test_attachment_of_another_case_is_404_under_this_case(people):
    mine = make_inbound_case(team=people.service)
    other = make_inbound_case(team=people.buchhaltung)
    message = services.add_message(
        case_id=other.pk,
        direction="inbound",
        body_text="Anhang",
        attachments=[AttachmentUpload("geheim.png", PNG)],
        max_attachment_bytes=10_000,
    )
    client = Client()
    client.force_login(people.anna)

    response = client.get(url(mine, f"attachments/{message.attachments.get().pk}/"))

    assert response.status_code == 404


def test_too_large_attachment_refuses_the_reply_and_keeps_the_text(people, settings):
    settings.KV_MAX_ATTACHMENT_BYTES = 10
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    response = post(
        client,
        case,
        "reply/",
        {"body": "Langer Text", "attachments": SimpleUploadedFile("bild.png", PNG, "image/png")},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Anhang »bild.png« ist zu groß" in html
    assert ">Langer Text</textarea>" in html
    assert not case.messages.filter(direction="outbound").exists()


def test_note_with_mention_is_internal_and_links_the_colleague(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    response = post(client, case, "note/", {"body": "@sabine bitte prüfen"})

    note = case.messages.get(direction="note")
    assert list(note.mentions.all()) == [people.sabine]
    page = client.get(response["Location"]).content.decode()
    assert "Notiz gespeichert, sabine erwähnt." in page
    assert "Erwähnt: @sabine" in page


def test_assign_to_me_and_the_loser_of_a_race_sees_the_winner(people):
    case = make_inbound_case(team=people.service)
    anna = csrf_client(people.anna)
    anna.get(url(case))
    stale_version = case.version
    services.assign_case(
        case_id=case.pk, agent_id=people.sabine.pk, by=people.sabine, expected_version=case.version
    )

    response = anna.post(
        url(case, "assign/"),
        {
            "csrfmiddlewaretoken": anna.cookies["csrftoken"].value,
            "agent": "me",
            "expected_version": stale_version,
        },
    )

    case.refresh_from_db()
    assert case.assignee_id == people.sabine.pk
    page = anna.get(response["Location"]).content.decode()
    assert f"Anliegen {case.number} wurde bereits von Sabine übernommen." in page


def test_assign_to_me_with_current_version(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    post(client, case, "assign/", {"agent": "me", "expected_version": case.version})

    case.refresh_from_db()
    assert case.assignee_id == people.anna.pk


def test_agent_cannot_assign_a_colleague(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    response = post(
        client, case, "assign/", {"agent": str(people.sabine.pk), "expected_version": case.version}
    )

    case.refresh_from_db()
    assert case.assignee_id is None
    assert (
        "Nur die Teamleitung darf Anliegen anderen zuweisen."
        in client.get(response["Location"]).content.decode()
    )


def test_status_change_and_illegal_transition_message(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    post(client, case, "status/", {"status": "resolved", "expected_version": case.version})
    case.refresh_from_db()
    assert case.status == "resolved"

    response = post(
        client, case, "status/", {"status": "waiting_customer", "expected_version": case.version}
    )
    case.refresh_from_db()
    assert case.status == "resolved"
    assert (
        "Statuswechsel von »resolved« nach »waiting_customer« ist nicht erlaubt."
        in client.get(response["Location"]).content.decode()
    )


def test_status_change_with_stale_version_is_refused(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)
    stale = case.version
    services.add_note(case_id=case.pk, body_text="dazwischen", by=people.sabine)

    response = post(client, case, "status/", {"status": "resolved", "expected_version": stale})

    case.refresh_from_db()
    assert case.status == "new"
    assert (
        "wurde zwischenzeitlich geändert; bitte neu laden."
        in client.get(response["Location"]).content.decode()
    )


def test_priority_change(people):
    case = make_inbound_case(team=people.service)
    client = csrf_client(people.anna)

    post(client, case, "priority/", {"priority": "urgent"})

    case.refresh_from_db()
    assert case.priority == "urgent"


def test_one_click_correction_is_kept_as_training_data(people):
    case = full_case(people)
    message = case.messages.get()
    client = csrf_client(people.anna)

    response = post(
        client,
        case,
        "correct/",
        {"field": "intent", "value": "delivery_date", "message_id": message.pk},
    )

    assert response["Location"] == f"{url(case)}#understanding"
    case.refresh_from_db()
    assert case.intent == "delivery_date"
    correction = UnderstandingCorrection.objects.get()
    assert (correction.field, correction.old_value, correction.new_value) == (
        "intent",
        "order_status",
        "delivery_date",
    )
    assert correction.text == BODY
    assert correction.message_id == message.pk
    page = client.get(response["Location"]).content.decode()
    assert "Korrektur gespeichert: Liefertermin." in page
    assert "Anliegen-Art: Bestellstatus → <strong>Liefertermin</strong>" in page


def test_correction_outside_the_taxonomy_is_refused(people):
    case = full_case(people)
    client = csrf_client(people.anna)

    post(client, case, "correct/", {"field": "sentiment", "value": "wütend"})

    assert not UnderstandingCorrection.objects.exists()
    case.refresh_from_db()
    assert case.sentiment == "negative"


def test_macro_prefills_the_editor_without_javascript_and_as_json(people):
    case = full_case(people)
    macro = make_macro(
        body="Hallo {{ customer.first_name }}, Bestellung {{ order.number }}: {{ order.status }}. "
        "{{ kunde.unbekannt }}",
        set_status="waiting_customer",
    )
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case), {"macro": macro.pk}).content.decode()
    data = client.get(url(case, f"macros/{macro.pk}/")).json()

    expected = "Hallo Clara, Bestellung 4711: eingegangen. {{ kunde.unbekannt }}"
    assert f">{expected}</textarea>" in html
    assert '<option value="waiting_customer" selected>' in html
    assert (
        "Unbekannte Platzhalter im Textbaustein (bitte von Hand ersetzen): kunde.unbekannt" in html
    )
    assert data == {
        "text": expected,
        "unknown": ["kunde.unbekannt"],
        "missing": [],
        "status_after": "waiting_customer",
    }


def test_macro_of_another_team_is_not_offered(people):
    case = full_case(people)
    foreign = make_macro("Buchhaltung intern", team=people.buchhaltung)
    client = Client()
    client.force_login(people.anna)

    assert client.get(url(case, f"macros/{foreign.pk}/")).status_code == 404
    assert "Buchhaltung intern" not in client.get(url(case)).content.decode()


def test_original_scan_is_served_inline_sandboxed_and_previewed(people):
    result = receive(
        channel="letter",
        raw=PNG,
        source="dropfolder",
        content_type="image/png",
        filename="brief.png",
    )
    case = services.open_case(
        subject="Brief",
        channel="letter",
        body_text="Erkannter Brieftext",
        raw_ref=f"intake:{result.inbound_id}",
        route=False,
    )
    Case.objects.filter(pk=case.pk).update(team=people.service)
    message = case.messages.get()
    client = Client()
    client.force_login(people.anna)

    response = client.get(url(case, f"original/{message.pk}/"))
    page = client.get(url(case)).content.decode()

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    preview = client.get(url(case, f"original/{message.pk}/preview/"))
    assert preview["Content-Type"] == "image/png"
    assert preview.content == PNG
    assert (
        f'<img class="kv-msg__scan" src="/cases/{case.number}/original/{message.pk}/preview/"'
        in page
    )


def _letter_case(people: Personas, raw: bytes, content_type: str, filename: str) -> Case:
    result = receive(
        channel="letter", raw=raw, source="dropfolder", content_type=content_type, filename=filename
    )
    case = services.open_case(
        subject="Brief",
        channel="letter",
        body_text="Erkannter Brieftext",
        raw_ref=f"intake:{result.inbound_id}",
        route=False,
    )
    Case.objects.filter(pk=case.pk).update(team=people.service)
    return case


def test_pdf_letter_is_previewed_as_png_of_page_one_and_served_sandboxed(people):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, format="PDF")
    case = _letter_case(people, buffer.getvalue(), "application/pdf", "brief.pdf")
    message = case.messages.get()
    client = Client()
    client.force_login(people.anna)

    preview = client.get(url(case, f"original/{message.pk}/preview/"))
    original = client.get(url(case, f"original/{message.pk}/"))

    assert preview["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(preview.content)).size == (417, 278)  # 100 dpi of 300x200 pt
    assert original["Content-Type"] == "application/pdf"
    assert original["Content-Disposition"] == 'inline; filename="brief.pdf"'
    assert original["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
    )
    assert original["X-Content-Type-Options"] == "nosniff"


def test_unreadable_pdf_has_no_preview(people):
    case = _letter_case(people, b"%PDF-1.4 kaputt", "application/pdf", "kaputt.pdf")

    client = Client()
    client.force_login(people.anna)

    assert client.get(url(case, f"original/{case.messages.get().pk}/preview/")).status_code == 404


def test_raw_mail_original_is_a_text_download(people):
    raw = b"From: a@example.de\r\nSubject: <b>Hallo</b>\r\n\r\n<script>alert(1)</script>\r\n"
    result = receive(channel="email", raw=raw, source="smtp")
    case = services.open_case(
        subject="Mail",
        channel="email",
        body_text="Hallo",
        raw_ref=f"intake:{result.inbound_id}",
        route=False,
    )
    Case.objects.filter(pk=case.pk).update(team=people.service)
    client = Client()
    client.force_login(people.anna)

    response = client.get(url(case, f"original/{case.messages.get().pk}/"))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_closed_case_offers_no_editor_and_merged_case_links_its_target(people):
    source = make_inbound_case(team=people.service, subject="Doppelt")
    target = make_inbound_case(team=people.service, subject="Bleibt")
    services.merge_cases(source_id=source.pk, target_id=target.pk, by=people.anna)
    client = Client()
    client.force_login(people.anna)

    source_html = client.get(url(source)).content.decode()
    target_html = client.get(url(target)).content.decode()

    assert "Dieses Anliegen ist geschlossen und archiviert." in source_html
    assert 'id="kv-reply"' not in source_html
    assert f'zusammengeführt in <a href="/cases/{target.number}/">{target.number}</a> (Bleibt)' in (
        source_html
    )
    assert (
        f'Duplikat <a href="/cases/{source.number}/">{source.number}</a> (Doppelt)' in target_html
    )


def test_links_to_cases_the_agent_may_not_see_are_left_out(people):
    secret = make_inbound_case(team=people.buchhaltung, subject="Vertraulich")
    case = services.split_case(
        case_id=secret.pk,
        message_ids=[
            services.add_message(case_id=secret.pk, direction="inbound", body_text="Teil 2").pk
        ],
        subject="Abgetrennt",
        by=None,
    )
    Case.objects.filter(pk=case.pk).update(team=people.service)
    client = Client()
    client.force_login(people.anna)

    html = client.get(url(case)).content.decode()

    assert secret.number not in html
    assert "Verknüpft:" not in html
