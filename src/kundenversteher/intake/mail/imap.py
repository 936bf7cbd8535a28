"""IMAP adapter: fetch new mail by UID, store it through intake, then mark or move it.

Order of work per folder (the reason for each step is the reliability promise "nothing lost,
nothing doubled"):

1. SELECT → UIDVALIDITY. A changed UIDVALIDITY resets the folder to UID 0 (full resync;
   intake's dedupe makes the re-fetch harmless).
2. Finish marks left over by an interrupted poll (committed but not yet \\Seen/moved).
3. UID SEARCH for UIDs above the last one stored, FETCH them in batches with BODY.PEEK[]
   (peek: the server does not set \\Seen by itself).
4. Each message: ``intake.services.receive`` + last UID, one transaction.
5. After the batch committed: \\Seen or MOVE on the server, then note the mark.

A connection lost anywhere (server restart) leaves the database consistent: the next poll
continues after the last committed UID and finishes the pending marks.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from kundenversteher.intake.mail import crypto, services
from kundenversteher.intake.mail.models import Mailbox, ReceivedMail, Security

logger = logging.getLogger(__name__)

SEEN = b"\\Seen"
DELETED = b"\\Deleted"
DEFAULT_BATCH_SIZE = 50
DEFAULT_TIMEOUT_SECONDS = 30.0

# Network trouble that a later poll can recover from.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    IMAPClientError,
    OSError,
    socket.timeout,
    ssl.SSLError,
)


# ... and a stored password no configured key can decrypt: visible on the mailbox, retried.
CONNECT_ERRORS: tuple[type[BaseException], ...] = (*TRANSIENT_ERRORS, crypto.CredentialError)


class MailboxUnavailableError(Exception):
    """The IMAP server could not be reached or broke off; retry later."""


@dataclass
class PollResult:
    mailbox_id: int
    skipped: bool = False  # another poller holds the lease
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    marked: int = 0
    folders: list[str] = field(default_factory=list)
    inbound_ids: list[int] = field(default_factory=list)


def connect(mailbox: Mailbox, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> IMAPClient:
    """Open and log in. Certificates are verified (system trust store) for SSL and STARTTLS."""
    context = ssl.create_default_context()
    client = IMAPClient(
        mailbox.imap_host,
        port=mailbox.imap_port,
        ssl=mailbox.imap_security == Security.SSL,
        ssl_context=context,
        timeout=timeout,
    )
    try:
        if mailbox.imap_security == Security.STARTTLS:
            client.starttls(context)
        client.login(mailbox.imap_username, crypto.decrypt(mailbox.imap_password_encrypted))
    except BaseException:
        close(client)
        raise
    return client


def close(client: IMAPClient) -> None:
    try:
        client.logout()
    except TRANSIENT_ERRORS:
        # Already broken: close the socket quietly, the result is the same.
        try:
            client.shutdown()
        except TRANSIENT_ERRORS:
            logger.debug("IMAP socket already closed")


def test_connection(mailbox: Mailbox) -> str:
    """Log in and list the configured folders; returns a human-readable summary (German).

    Raises ``MailboxUnavailableError`` with the server's answer when it fails.
    """
    try:
        client = connect(mailbox, timeout=15)
    except CONNECT_ERRORS as exc:
        raise MailboxUnavailableError(str(exc)) from exc
    try:
        parts = []
        for folder in mailbox.folders:
            if not client.folder_exists(folder):
                raise MailboxUnavailableError(f"Ordner fehlt: {folder}")
            status = client.folder_status(folder, [b"MESSAGES", b"UIDVALIDITY"])
            parts.append(f"{folder}: {int(status[b'MESSAGES'])} Nachrichten")
        return "; ".join(parts)
    except TRANSIENT_ERRORS as exc:
        raise MailboxUnavailableError(str(exc)) from exc
    finally:
        close(client)


def poll_mailbox(*, mailbox_id: int, batch_size: int = DEFAULT_BATCH_SIZE) -> PollResult:
    """Fetch everything new from all folders of one mailbox. Safe to run twice at once."""
    result = PollResult(mailbox_id=mailbox_id)
    if not services.claim_poll(mailbox_id=mailbox_id):
        result.skipped = True
        return result
    error = ""
    try:
        mailbox = Mailbox.objects.get(pk=mailbox_id)
        client = connect(mailbox)
        try:
            for folder in mailbox.folders:
                _sync_folder(client, mailbox, folder, batch_size=batch_size, result=result)
        finally:
            close(client)
    except CONNECT_ERRORS as exc:
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("mailbox %s: poll interrupted: %s", mailbox_id, error)
        raise MailboxUnavailableError(error) from exc
    finally:
        services.finish_poll(mailbox_id=mailbox_id, error=error)
    return result


def _sync_folder(
    client: IMAPClient, mailbox: Mailbox, folder: str, *, batch_size: int, result: PollResult
) -> None:
    info = client.select_folder(folder)
    uidvalidity = int(info[b"UIDVALIDITY"])
    state = services.open_folder(mailbox_id=mailbox.pk, folder=folder, uidvalidity=uidvalidity)
    services.drop_stale_marks(mailbox_id=mailbox.pk, folder=folder, uidvalidity=uidvalidity)
    result.folders.append(folder)
    result.marked += _apply_marks(client, mailbox, folder, uidvalidity)

    # "n:*" always matches the highest UID even when it is below n: filter again.
    uids = sorted(
        u for u in client.search(["UID", f"{state.last_uid + 1}:*"]) if u > state.last_uid
    )
    source = f"imap:{mailbox.name}/{folder}"
    for start in range(0, len(uids), batch_size):
        batch = uids[start : start + batch_size]
        data = client.fetch(batch, [b"BODY.PEEK[]"])
        for uid in batch:
            raw = data.get(uid, {}).get(b"BODY[]")
            received = services.store_fetched(
                mailbox=mailbox,
                folder=folder,
                uidvalidity=uidvalidity,
                uid=uid,
                raw=bytes(raw) if raw is not None else None,
                source=source,
            )
            if received is None:
                continue
            result.fetched += 1
            result.inbound_ids.append(received.inbound_id)
            if received.duplicate:
                result.duplicates += 1
            else:
                result.new += 1
        result.marked += _apply_marks(client, mailbox, folder, uidvalidity)


def _apply_marks(client: IMAPClient, mailbox: Mailbox, folder: str, uidvalidity: int) -> int:
    pending: Sequence[ReceivedMail] = services.pending_marks(
        mailbox_id=mailbox.pk, folder=folder, uidvalidity=uidvalidity
    )
    if not pending:
        return 0
    uids = [int(r.uid) for r in pending if r.uid is not None]
    if mailbox.after_import == Mailbox.AfterImport.MOVE and mailbox.move_to_folder:
        target = mailbox.move_to_folder
        if not client.folder_exists(target):
            client.create_folder(target)
        if client.has_capability("MOVE"):
            client.move(uids, target)
        else:
            client.copy(uids, target)
            client.add_flags(uids, [DELETED])
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)
            else:
                client.expunge()
    else:
        client.add_flags(uids, [SEEN])
    services.set_marked(received_ids=[r.pk for r in pending])
    return len(pending)
