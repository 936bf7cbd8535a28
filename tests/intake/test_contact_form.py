"""The public contact form in the portal: one more way into the same pipeline."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kundenversteher.cases.models import Case, Channel, Message
from kundenversteher.events.models import Event
from kundenversteher.intake.models import InboundMessage
from tests.customers.factories import make_customer
from tests.intake.factories import run

URL = "/portal/kontakt/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit(db: None) -> None:
    cache.clear()


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Anna Schmidt",
        "email": "anna.schmidt@example.de",
        "phone": "0941 1234567",
        "customer_number": "KD-104711",
        "subject": "Wartungstermin",
        "message": "Bitte vereinbaren Sie einen Termin für die jährliche Wartung.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_the_form_is_public_and_carries_csrf_and_honeypot(client):
    page = client.get(URL)

    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("portal:contact") == URL
    assert "csrfmiddlewaretoken" in html
    assert 'name="website"' in html
    assert 'tabindex="-1"' in html
    assert "Nachricht senden" in html


def test_a_submission_is_stored_raw_and_filed_as_a_web_form_case(client):
    customer = make_customer("Schmidt", email="anna.schmidt@example.de")

    response = client.post(
        URL,
        _form(
            attachments=[
                SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, "image/png")
            ]
        ),
    )
    inbound = InboundMessage.objects.get()
    outcome = run(inbound.pk)

    case = Case.objects.get(pk=outcome.case_id)
    message = Message.objects.get(pk=outcome.message_id)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:contact_thanks")
    assert (inbound.channel, inbound.source, inbound.content_type) == (
        Channel.WEB_FORM,
        "webform",
        "message/rfc822",
    )
    assert inbound.meta == {
        "name": "Anna Schmidt",
        "phone": "0941 1234567",
        "customer_number": "KD-104711",
        "language": "de",
        "consent": True,
    }
    assert case.channel == Channel.WEB_FORM
    assert case.subject == "Wartungstermin"
    assert case.customer_id == customer.pk
    assert message.body_text.startswith("Bitte vereinbaren Sie einen Termin")
    assert [a.original_filename for a in message.attachments.all()] == ["foto.png"]
    processed = Event.objects.get(kind="intake.processed")
    assert processed.payload["to_address"] == "anna.schmidt@example.de"


def test_the_thanks_page_promises_the_case_number_by_mail(client):
    page = client.get(reverse("portal:contact_thanks"))

    assert page.status_code == 200
    assert "Vorgangsnummer erhalten Sie in Kürze per E-Mail" in page.content.decode()


def test_a_filled_honeypot_looks_like_success_but_stores_nothing(client):
    response = client.post(URL, _form(website="http://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:contact_thanks")
    assert not InboundMessage.objects.exists()
    rejected = Event.objects.get(kind="intake.rejected")
    assert rejected.payload == {"source": "webform", "reason": "honeypot"}


def test_missing_fields_and_consent_are_shown_again(client):
    response = client.post(URL, _form(email="kein-mail", consent=""))

    html = response.content.decode()
    assert response.status_code == 400
    assert "gültige E-Mail-Adresse" in html
    assert 'aria-invalid="true"' in html
    assert not InboundMessage.objects.exists()


def test_the_sixth_submission_within_an_hour_is_refused_with_429(client, settings):
    settings.KV_CONTACT_MAX_PER_HOUR = 5
    statuses = [client.post(URL, _form(subject=f"Frage {i}")).status_code for i in range(6)]

    assert statuses == [302, 302, 302, 302, 302, 429]
    assert InboundMessage.objects.count() == 5


def test_an_attachment_over_the_limit_is_refused(client, settings):
    settings.KV_MAX_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n" + b"0" * 2048, "application/pdf")

    response = client.post(URL, _form(attachments=[big]))

    assert response.status_code == 400
    assert "„plan.pdf“ ist zu groß" in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_a_line_break_in_the_subject_cannot_inject_headers(client):
    client.post(URL, _form(subject="Hallo\r\nBcc: opfer@example.de"))

    outcome = run(InboundMessage.objects.get().pk)

    assert Case.objects.get(pk=outcome.case_id).subject == "Hallo Bcc: opfer@example.de"


def test_the_form_speaks_english_when_asked(client):
    page = client.get(URL, headers={"accept-language": "en"})

    assert page.status_code == 200
    assert 'lang="en"' in page.content.decode()
