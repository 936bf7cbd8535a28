"""Typed builders for mailboxes and mails put on the test IMAP server."""

from __future__ import annotations

from collections.abc import Iterable

from imapclient import IMAPClient

from kundenversteher.intake.mail import crypto
from kundenversteher.intake.mail.models import Mailbox, Security
from tests.intake.factories import make_mail

__all__ = ["append_mails", "imap_client", "make_mail", "make_mailbox"]


def make_mailbox(
    *,
    name: str = "Service",
    email_address: str = "service@brenner-waermetechnik.de",
    imap_port: int = 0,
    imap_username: str = "",
    imap_password: str = "",
    smtp_port: int | None = None,
    folders: list[str] | None = None,
    after_import: str = Mailbox.AfterImport.SEEN,
    move_to_folder: str = "Verarbeitet",
    send_acknowledgement: bool = False,
    is_default_outbound: bool = False,
) -> Mailbox:
    return Mailbox.objects.create(
        name=name,
        email_address=email_address,
        imap_host="127.0.0.1" if imap_port else "",
        imap_port=imap_port or 993,
        imap_security=Security.NONE,
        imap_username=imap_username,
        imap_password_encrypted=crypto.encrypt(imap_password),
        folders=folders or ["INBOX"],
        after_import=after_import,
        move_to_folder=move_to_folder,
        smtp_host="127.0.0.1" if smtp_port else "",
        smtp_port=smtp_port or 587,
        smtp_security=Security.NONE,
        send_acknowledgement=send_acknowledgement,
        is_default_outbound=is_default_outbound,
    )


def imap_client(port: int, username: str, password: str) -> IMAPClient:
    client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10)
    client.login(username, password)
    return client


def append_mails(
    port: int, username: str, password: str, mails: Iterable[bytes], *, folder: str = "INBOX"
) -> None:
    client = imap_client(port, username, password)
    try:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for raw in mails:
            client.append(folder, raw)
    finally:
        client.logout()
