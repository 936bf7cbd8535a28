"""The intake monitor /posteingang/stoerungen/: access, dead letters, retry, outbound resend."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from kundenversteher.cases.models import Case
from kundenversteher.events.models import Event
from kundenversteher.intake.mail.models import OutboundMail
from kundenversteher.intake.models import InboundMessage, InboundState, InboundStep
from kundenversteher.intake.services import receive
from kundenversteher.intake.tasks import process_inbound
from tests.cases.factories import Personas, make_personas
from tests.intake.factories import make_mail, receive_mail
from tests.intake.letters.generate import make_letter, to_text_pdf
from tests.intake.mail.factories import make_mailbox

URL = "/posteingang/stoerungen/"
HOSTILE = "ValueError: <script>alert('x')</script>"


@pytest.fixture
def people(db: None) -> Personas:
    return make_personas()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_dead_letter(*, seed: int = 0, error: str = HOSTILE) -> InboundMessage:
    """A scanned letter whose processing gave up (as the pipeline leaves it)."""
    inbound_id = receive(
        channel="letter",
        raw=to_text_pdf(make_letter(seed)),
        source="dropfolder",
        content_type="application/pdf",
        filename=f"brief-{seed}.pdf",
    ).inbound_id
    InboundMessage.objects.filter(pk=inbound_id).update(
        state=InboundState.FAILED, attempts=5, last_error=error
    )
    InboundStep.objects.create(
        inbound_id=inbound_id,
        name="parse",
        status=InboundStep.Status.FAILED,
        detail={"error": error},
        attempt=5,
        duration_ms=12.4,
    )
    return InboundMessage.objects.get(pk=inbound_id)


def make_failed_outbound(*, to: str = "kunde@example.de") -> OutboundMail:
    mailbox = make_mailbox()
    return OutboundMail.objects.create(
        kind=OutboundMail.Kind.REPLY,
        dedupe_key=f"reply:{to}",
        state=OutboundMail.State.FAILED,
        mailbox=mailbox,
        message_id=f"<out-{to}@brenner.test>",
        from_address=mailbox.email_address,
        to_address=to,
        subject="Ihre Anfrage",
        body_text="Guten Tag",
        attempts=5,
        last_error="SMTPRecipientsRefused: <b>550</b>",
    )


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


def test_agents_get_403_on_the_page_and_on_retry(people: Personas) -> None:
    dead = make_dead_letter()
    client = client_for(people.anna)

    page = client.get(URL)
    retry = client.post(f"{URL}{dead.pk}/retry/")

    assert (page.status_code, retry.status_code) == (403, 403)
    dead.refresh_from_db()
    assert dead.state == InboundState.FAILED


def test_supervisors_see_dead_letters_ignored_mail_and_failed_outbound_with_counts(
    people: Personas,
) -> None:
    dead = make_dead_letter()
    ignored_id = receive_mail(make_mail(subject="Abwesenheitsnotiz")).inbound_id
    InboundMessage.objects.filter(pk=ignored_id).update(
        state=InboundState.IGNORED, automatic="auto-reply"
    )
    mail = make_failed_outbound()

    response = client_for(people.sabine).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert [r.pk for r in response.context["failed"]] == [dead.pk]
    assert [r.pk for r in response.context["ignored"]] == [ignored_id]
    assert [m.pk for m in response.context["outbound"]] == [mail.pk]
    assert (
        "<title>Eingangsstörungen (1 fehlgeschlagen, 1 ignoriert, 1 Ausgang) · Kundenversteher"
        "</title>" in page
    )
    assert f'action="/posteingang/stoerungen/{dead.pk}/retry/"' in page
    assert f'action="/posteingang/stoerungen/ausgang/{mail.pk}/resend/"' in page
    assert f"/retry/{ignored_id}" not in page
    assert page.count("Erneut verarbeiten") == 1
    assert "<td>12 ms</td>" in page
    # The original is the admin's audited download: offered to admins only.
    assert "Original herunterladen" not in page


def test_admins_get_the_audited_download_link(people: Personas) -> None:
    dead = make_dead_letter()

    page = client_for(people.admin).get(URL).content.decode()

    assert f'href="/admin/intake/inboundmessage/{dead.pk}/original/"' in page


def test_a_hostile_last_error_is_escaped(people: Personas) -> None:
    make_dead_letter()
    make_failed_outbound()

    page = client_for(people.sabine).get(URL).content.decode()

    assert "<script>alert" not in page
    assert "<b>550</b>" not in page
    assert "ValueError: &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "SMTPRecipientsRefused: &lt;b&gt;550&lt;/b&gt;" in page


def test_retry_moves_a_dead_letter_back_and_it_becomes_a_case(people: Personas) -> None:
    dead = make_dead_letter(seed=3)

    response = client_for(people.sabine).post(f"{URL}{dead.pk}/retry/")

    dead.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == URL
    assert texts(response) == [f"Nachricht #{dead.pk} wird erneut verarbeitet."]
    assert (dead.state, dead.attempts) == (InboundState.RECEIVED, 0)
    assert Event.objects.filter(kind="intake.retried", actor_user_id=people.sabine.pk).count() == 1

    result = process_inbound.call(dead.pk)

    dead.refresh_from_db()
    assert dead.state == InboundState.DONE
    assert Case.objects.get(pk=result["case_id"]).subject == "Brief: brief-3.pdf"


def test_retrying_a_row_that_is_not_failed_says_so(people: Personas) -> None:
    inbound_id = receive_mail(make_mail()).inbound_id

    response = client_for(people.sabine).post(f"{URL}{inbound_id}/retry/")

    assert texts(response) == ["Nur fehlgeschlagene Nachrichten können erneut verarbeitet werden."]
    assert InboundMessage.objects.get(pk=inbound_id).state == InboundState.RECEIVED


def test_retry_needs_post_and_csrf(people: Personas) -> None:
    dead = make_dead_letter()
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.sabine)

    get = client.get(f"{URL}{dead.pk}/retry/")
    post = client.post(f"{URL}{dead.pk}/retry/")

    assert (get.status_code, post.status_code) == (405, 403)
    dead.refresh_from_db()
    assert dead.state == InboundState.FAILED


def test_resend_queues_a_failed_outbound_mail_again(people: Personas) -> None:
    mail = make_failed_outbound()
    client = client_for(people.admin)

    first = client.post(f"{URL}ausgang/{mail.pk}/resend/")
    client.get(URL)  # shows (and so consumes) the first message
    second = client.post(f"{URL}ausgang/{mail.pk}/resend/")

    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (OutboundMail.State.QUEUED, 0)
    assert texts(first) == [f"E-Mail #{mail.pk} wird erneut gesendet."]
    assert texts(second) == [
        f"E-Mail #{mail.pk} ist nicht (mehr) fehlgeschlagen und wurde nicht neu eingereiht."
    ]
