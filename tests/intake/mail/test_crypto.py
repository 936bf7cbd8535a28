"""Mailbox credentials at rest: Fernet under a derived key, rotation with old keys."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kundenversteher.intake.mail import crypto, services
from kundenversteher.intake.mail.models import Mailbox
from tests.intake.mail.factories import make_mailbox


def test_encrypted_password_round_trips_and_is_not_stored_in_clear() -> None:
    token = crypto.encrypt("Sommer2026!")

    assert "Sommer2026" not in token
    assert crypto.decrypt(token) == "Sommer2026!"
    assert crypto.encrypt("") == ""
    assert crypto.decrypt("") == ""


def test_a_changed_key_without_the_old_one_cannot_decrypt() -> None:
    token = crypto.encrypt("geheim")

    with (
        override_settings(KV_CREDENTIALS_KEY="ein-ganz-neuer-schluessel"),
        pytest.raises(crypto.CredentialError),
    ):
        crypto.decrypt(token)


def test_old_key_still_decrypts_during_rotation() -> None:
    with override_settings(KV_CREDENTIALS_KEY="alter-schluessel"):
        token = crypto.encrypt("geheim")

    with override_settings(
        KV_CREDENTIALS_KEY="neuer-schluessel", KV_CREDENTIALS_OLD_KEYS="alter-schluessel"
    ):
        assert crypto.decrypt(token) == "geheim"
        rotated = crypto.rotate(token)
    with override_settings(KV_CREDENTIALS_KEY="neuer-schluessel"):
        assert crypto.decrypt(rotated) == "geheim"


@pytest.mark.django_db
def test_rotate_credentials_re_encrypts_every_mailbox() -> None:
    with override_settings(KV_CREDENTIALS_KEY="alter-schluessel"):
        mailbox = make_mailbox(imap_password="imap-pw")
        services.set_mailbox_passwords(mailbox_id=mailbox.pk, smtp_password="smtp-pw")

    with override_settings(
        KV_CREDENTIALS_KEY="neuer-schluessel", KV_CREDENTIALS_OLD_KEYS=["alter-schluessel"]
    ):
        assert services.rotate_credentials() == 1
    stored = Mailbox.objects.get(pk=mailbox.pk)
    with override_settings(KV_CREDENTIALS_KEY="neuer-schluessel"):
        assert crypto.decrypt(stored.imap_password_encrypted) == "imap-pw"
        assert crypto.decrypt(stored.smtp_password_encrypted) == "smtp-pw"
