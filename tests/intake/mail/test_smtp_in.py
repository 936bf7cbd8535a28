"""Inbound SMTP: a mail server pipes customer mail in; only our addresses are accepted."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from kundenversteher.intake.mail.models import ReceivedMail
from kundenversteher.intake.mail.smtp_in import make_controller
from kundenversteher.intake.models import InboundMessage
from tests.intake.mail.factories import make_mail, make_mailbox
from tests.intake.mail.servers import free_port

# The server runs in its own thread with its own database connection: real commits needed.
pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtpd() -> Iterator[Controller]:
    controller = make_controller(host="127.0.0.1", port=free_port(), max_bytes=1024 * 1024)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def _send(controller: Controller, raw: bytes, *, to: str) -> None:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        client.sendmail("anna.schmidt@example.de", [to], raw)


def test_mail_to_a_mailbox_address_is_stored_once(smtpd: Controller) -> None:
    mailbox = make_mailbox(email_address="service@brenner-waermetechnik.de")
    raw = make_mail(message_id="<smtp-1@example.de>")

    _send(smtpd, raw, to="Service@Brenner-Waermetechnik.de")
    _send(smtpd, raw, to="service@brenner-waermetechnik.de")  # the MTA retries

    inbound = InboundMessage.objects.get()
    assert (inbound.message_id, inbound.source) == ("<smtp-1@example.de>", "smtp:Service")
    assert inbound.meta["mailbox_id"] == mailbox.pk
    assert inbound.meta["mail_from"] == "anna.schmidt@example.de"
    assert list(ReceivedMail.objects.values_list("duplicate", flat=True).order_by("pk")) == [
        False,
        True,
    ]


def test_unknown_recipient_is_refused_and_nothing_stored(smtpd: Controller) -> None:
    make_mailbox(email_address="service@brenner-waermetechnik.de")

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(smtpd, make_mail(), to="jemand@anderswo.example")

    assert InboundMessage.objects.count() == 0


def test_oversized_mail_is_refused_by_the_server(smtpd: Controller) -> None:
    make_mailbox(email_address="service@brenner-waermetechnik.de")
    big = make_mail(text="x" * (2 * 1024 * 1024))

    with pytest.raises(smtplib.SMTPException):
        _send(smtpd, big, to="service@brenner-waermetechnik.de")

    assert InboundMessage.objects.count() == 0
