"""The admin: a new user configures a mailbox; passwords are write-only and audited masked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kundenversteher.events.models import Event
from kundenversteher.intake.mail import crypto
from kundenversteher.intake.mail.models import Mailbox
from kundenversteher.privacy.models import AuditEntry
from tests.intake.mail.servers import Dovecot, SmtpSink

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/intake_mail/mailbox/add/"


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Service",
        "email_address": "service@brenner-waermetechnik.de",
        "active": "on",
        "imap_host": "127.0.0.1",
        "imap_port": "993",
        "imap_security": "none",
        "imap_username": "service@brenner.test",
        "imap_password": "Sommer-2026!",
        "folders": '["INBOX"]',
        "after_import": "seen",
        "move_to_folder": "Verarbeitet",
        "use_idle": "on",
        "smtp_host": "127.0.0.1",
        "smtp_port": "587",
        "smtp_security": "none",
        "smtp_username": "",
        "smtp_password": "",
        "folder_states-TOTAL_FORMS": "0",
        "folder_states-INITIAL_FORMS": "0",
        "folder_states-MIN_NUM_FORMS": "0",
        "folder_states-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_stores_the_password_encrypted_and_never_shows_or_logs_it(
    admin_client: Client,
) -> None:
    response = admin_client.post(ADD_URL, _form())

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert "Sommer-2026!" not in mailbox.imap_password_encrypted
    assert crypto.decrypt(mailbox.imap_password_encrypted) == "Sommer-2026!"
    page = admin_client.get(f"/admin/intake_mail/mailbox/{mailbox.pk}/change/").content.decode()
    assert "Sommer-2026!" not in page
    assert mailbox.imap_password_encrypted not in page
    entry = AuditEntry.objects.get(model="intake_mail.mailbox", action="add")
    assert entry.changes["imap_password_encrypted"] == ["***", "***"]
    assert "Sommer-2026!" not in str(entry.changes)


def test_saving_without_a_password_keeps_the_stored_one(admin_client: Client) -> None:
    admin_client.post(ADD_URL, _form())
    mailbox = Mailbox.objects.get()

    response = admin_client.post(
        f"/admin/intake_mail/mailbox/{mailbox.pk}/change/",
        _form(imap_password="", name="Kundendienst"),
    )

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.name == "Kundendienst"
    assert crypto.decrypt(mailbox.imap_password_encrypted) == "Sommer-2026!"


@pytest.mark.server
def test_connection_test_action_reports_and_records_the_outcome(
    admin_client: Client, dovecot: Dovecot, imap_account: tuple[str, str], smtp_sink: SmtpSink
) -> None:
    user, password = imap_account
    admin_client.post(
        ADD_URL,
        _form(
            imap_port=str(dovecot.port),
            imap_username=user,
            imap_password=password,
            smtp_port=str(smtp_sink.port),
        ),
    )
    mailbox = Mailbox.objects.get()

    response = admin_client.post(
        "/admin/intake_mail/mailbox/",
        {"action": "test_connection", "_selected_action": [str(mailbox.pk)]},
        follow=True,
    )

    text = response.content.decode()
    assert "INBOX: 0 Nachrichten" in text
    assert f"SMTP 127.0.0.1:{smtp_sink.port} OK" in text
    event = Event.objects.get(kind="mail.connection_tested")
    assert event.payload["ok"] is True
    assert AuditEntry.objects.filter(
        model="intake_mail.mailbox", changes__connection_test=[None, "ok"]
    ).exists()


@pytest.mark.server
def test_connection_test_shows_a_wrong_password(
    admin_client: Client, dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, _password = imap_account
    admin_client.post(ADD_URL, _form(imap_port=str(dovecot.port), imap_username=user, smtp_host=""))
    mailbox = Mailbox.objects.get()

    response = admin_client.post(
        "/admin/intake_mail/mailbox/",
        {"action": "test_connection", "_selected_action": [str(mailbox.pk)]},
        follow=True,
    )

    assert "IMAP-Fehler" in response.content.decode()
    assert Event.objects.get(kind="mail.connection_tested").payload["ok"] is False
