"""IMAP IDLE: new mail on the server is fetched without waiting for the periodic poll."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError

from kundenversteher.intake.mail import idle
from kundenversteher.intake.models import InboundMessage
from tests.intake.mail.factories import append_mails, make_mail, make_mailbox
from tests.intake.mail.servers import Dovecot

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


def _wait_for(count: int, timeout: float = 15.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = InboundMessage.objects.count()
        except OperationalError:  # the test database (shared-cache SQLite) locks per table
            found = 0
        if found >= count:
            return found
        time.sleep(0.1)
    return InboundMessage.objects.count()


def test_idle_watcher_fetches_mail_as_it_arrives_and_survives_a_server_restart(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, password = imap_account
    append_mails(dovecot.port, user, password, [make_mail(message_id="<vorher@example.de>")])
    mailbox = make_mailbox(imap_port=dovecot.port, imap_username=user, imap_password=password)
    stop = threading.Event()
    watcher = threading.Thread(
        target=idle.watch_mailbox,
        kwargs={"mailbox_id": mailbox.pk, "stop": stop, "check_seconds": 0.5},
    )
    watcher.start()
    try:
        assert _wait_for(1) == 1  # the catch-up poll on connect
        append_mails(dovecot.port, user, password, [make_mail(message_id="<idle-1@example.de>")])
        assert _wait_for(2) == 2

        dovecot.restart()
        append_mails(dovecot.port, user, password, [make_mail(message_id="<idle-2@example.de>")])
        assert _wait_for(3) == 3  # reconnected with backoff, caught up
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()
    assert sorted(InboundMessage.objects.values_list("message_id", flat=True)) == [
        "<idle-1@example.de>",
        "<idle-2@example.de>",
        "<vorher@example.de>",
    ]
