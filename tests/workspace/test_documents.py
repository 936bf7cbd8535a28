"""Upload screen /posteingang/dokumente/: access, upload → intake → case, duplicates, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kundenversteher.cases.models import Case, Channel
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.tasks import process_inbound
from tests.cases.factories import Personas, make_personas
from tests.intake.letters.generate import make_letter, to_text_pdf

URL = "/posteingang/dokumente/"
LIST_URL = "/posteingang/dokumente/liste/"


@pytest.fixture
def people(db: None) -> Personas:
    return make_personas()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, *files: tuple[str, bytes], **fields: str) -> Any:
    data: dict[str, Any] = {"channel": "letter", **fields}
    data["files"] = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(URL, data)


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={URL}"


def test_a_customer_is_sent_to_the_portal(people: Personas) -> None:
    response = client_for(people.clara).get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/portal/"


@pytest.mark.parametrize("who", ["anna", "sabine", "admin"])
def test_staff_see_the_upload_form(people: Personas, who: str) -> None:
    response = client_for(getattr(people, who)).get(URL)

    assert response.status_code == 200
    assert 'name="files"' in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_an_uploaded_letter_is_stored_and_becomes_a_letter_case_with_the_scan_text(
    people: Personas,
) -> None:
    letter = make_letter(0)
    pdf = to_text_pdf(letter)

    response = upload(client_for(people.anna), ("../../brief 1.pdf", pdf))

    inbound = InboundMessage.objects.get()
    assert response.status_code == 302
    assert (inbound.channel, inbound.source, inbound.content_type, inbound.filename) == (
        "letter",
        "upload:anna",
        "application/pdf",
        "brief 1.pdf",
    )
    assert inbound.meta == {"uploaded_by": people.anna.pk}
    assert texts(response) == [
        f"»brief 1.pdf« ist eingegangen (Eingang #{inbound.pk}) und wird verarbeitet."
    ]

    result = process_inbound.call(inbound.pk)

    inbound.refresh_from_db()
    case = Case.objects.get(pk=result["case_id"])
    assert inbound.state == InboundState.DONE
    assert case.channel == Channel.LETTER
    assert case.subject == "Brief: brief 1.pdf"
    assert "Sehr geehrte Damen und Herren" in case.messages.get().body_text


def test_the_list_shows_the_users_uploads_with_a_case_link_and_stops_polling_when_done(
    people: Personas,
) -> None:
    client = client_for(people.anna)
    upload(client, ("brief.pdf", to_text_pdf(make_letter(1))))
    inbound = InboundMessage.objects.get()

    pending = client.get(LIST_URL).content.decode()
    result = process_inbound.call(inbound.pk)
    done = client.get(LIST_URL).content.decode()

    case = Case.objects.get(pk=result["case_id"])
    assert 'hx-trigger="every 2s"' in pending
    assert 'data-state="received"' in pending
    assert 'hx-trigger="every 2s"' not in done
    assert f'href="/cases/{case.number}/"' in done


def test_other_users_uploads_are_not_listed(people: Personas) -> None:
    upload(client_for(people.anna), ("brief.pdf", to_text_pdf(make_letter(2))))

    response = client_for(people.sabine).get(URL)

    assert list(response.context["uploads"]) == []


def test_a_fax_with_an_earlier_arrival_date_keeps_that_date(people: Personas) -> None:
    day = timezone.localdate() - timedelta(days=3)

    upload(
        client_for(people.sabine),
        ("fax.pdf", to_text_pdf(make_letter(3))),
        channel="fax",
        received_on=day.isoformat(),
    )

    inbound = InboundMessage.objects.get()
    assert inbound.channel == "fax"
    assert timezone.localtime(inbound.received_at).date() == day
    assert timezone.localtime(inbound.received_at).hour == 12


def test_a_future_arrival_date_is_refused(people: Personas) -> None:
    day = timezone.localdate() + timedelta(days=1)

    response = upload(
        client_for(people.anna), ("brief.pdf", b"%PDF-1.4\n"), received_on=day.isoformat()
    )

    assert response.status_code == 400
    assert "Das Eingangsdatum darf nicht in der Zukunft liegen." in response.content.decode()
    assert InboundMessage.objects.count() == 0


def test_a_second_upload_of_the_same_file_says_it_is_already_there(people: Personas) -> None:
    pdf = to_text_pdf(make_letter(4))
    client = client_for(people.anna)
    upload(client, ("brief.pdf", pdf))
    client.get(URL)  # shows (and so consumes) the first message
    first = InboundMessage.objects.get()

    response = upload(client, ("nochmal.pdf", pdf))

    assert InboundMessage.objects.count() == 1
    assert texts(response) == [
        f"»nochmal.pdf« ist bereits eingegangen (Eingang #{first.pk}, Status: empfangen)."
    ]


def test_files_that_are_not_scans_are_refused_with_their_detected_type(people: Personas) -> None:
    zip_bytes = b"PK\x03\x04" + b"\x00" * 60
    response = upload(
        client_for(people.anna),
        ("rechnung.pdf", zip_bytes),
        ("notiz.txt", b"Hallo"),
        ("leer.png", b""),
    )

    assert InboundMessage.objects.count() == 0
    assert texts(response) == [
        "»rechnung.pdf« wurde nicht angenommen: kein Scan (PDF, TIFF, PNG oder JPEG): "
        "erkannter Dateityp application/zip.",
        "»notiz.txt« wurde nicht angenommen: kein Scan (PDF, TIFF, PNG oder JPEG): "
        "erkannter Dateityp unbekannt.",
        "»leer.png« wurde nicht angenommen: die Datei ist leer.",
    ]


def test_a_file_over_the_limit_is_refused(people: Personas, settings: Any) -> None:
    settings.KV_MAX_ATTACHMENT_BYTES = 1000

    response = upload(client_for(people.anna), ("gross.pdf", b"%PDF-1.4\n" + b"0" * 2000))

    assert InboundMessage.objects.count() == 0
    assert texts(response) == [
        "»gross.pdf« wurde nicht angenommen: zu groß (0,0 MB, erlaubt sind 0,0 MB)."
    ]


def test_posting_without_files_shows_the_form_again(people: Personas) -> None:
    response = client_for(people.anna).post(URL, {"channel": "letter"})

    assert response.status_code == 400
    assert "Bitte mindestens eine Datei auswählen." in response.content.decode()


def test_the_upload_form_is_csrf_protected(people: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.anna)

    response = client.post(
        URL, {"channel": "letter", "files": [SimpleUploadedFile("b.pdf", b"%PDF-1.4\n")]}
    )

    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0


def test_a_failed_upload_shows_its_reason_escaped(people: Personas) -> None:
    client = client_for(people.anna)
    upload(client, ('<img src=x onerror="alert(1)">.pdf', to_text_pdf(make_letter(5))))
    InboundMessage.objects.update(
        state=InboundState.FAILED, last_error="ValueError: <script>alert(1)</script>"
    )

    page = client.get(LIST_URL).content.decode()

    assert InboundMessage.objects.get().filename == "img src=x onerror=alert(1).pdf"
    assert "<script>" not in page
    assert "ValueError: &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'data-state="failed"' in page
    assert "hx-trigger" not in page
