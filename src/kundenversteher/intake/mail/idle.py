"""IMAP IDLE watcher: poll a mailbox the moment its server reports new mail.

One thread per mailbox (``kv_mailwatch`` runs them). The IDLE connection only listens; fetching
is the ordinary ``imap.poll_mailbox`` on a connection of its own, so IDLE and the periodic poll
share one code path and one lease. IDLE watches the mailbox's first folder; further folders are
covered by the periodic ``poll_mailboxes`` task.

RFC 2177 asks clients to re-issue IDLE at least every 29 minutes; we do it every 25. Lost
connections are re-opened with exponential backoff (1 s … 5 min), and every (re)connect makes
a catch-up poll once IDLE listens, so mail that arrived while the watcher was away is fetched
at once.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections, connection
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError

from kundenversteher.intake.mail import imap
from kundenversteher.intake.mail.models import Mailbox

logger = logging.getLogger(__name__)

REISSUE_SECONDS = 25 * 60
CHECK_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 300.0
_WATCH_ERRORS: tuple[type[BaseException], ...] = (
    *imap.CONNECT_ERRORS,
    imap.MailboxUnavailableError,
    DatabaseError,  # a busy database must not end the watcher for good
)


def _poll(mailbox_id: int) -> None:
    try:
        result = imap.poll_mailbox(mailbox_id=mailbox_id)
    finally:
        close_old_connections()
    if result.new or result.duplicates:
        logger.info("mailbox %s: %d new, %d duplicates", mailbox_id, result.new, result.duplicates)


def _is_new_mail(responses: list[tuple[int, bytes] | tuple[bytes, ...]]) -> bool:
    return any(len(r) >= 2 and r[1] in {b"EXISTS", b"RECENT"} for r in responses)


def _closed_by_server(client: IMAPClient) -> bool:
    """imapclient's ``idle_check`` swallows EOF and returns [] at once: peek to tell apart
    "nothing new" from "server gone" (else the loop would spin on a dead socket)."""
    sock = client.socket()
    saved = sock.gettimeout()
    sock.setblocking(False)
    try:
        return bool(sock.recv(1, socket.MSG_PEEK) == b"")
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(saved)


def watch_mailbox(
    *,
    mailbox_id: int,
    stop: threading.Event,
    check_seconds: float = CHECK_SECONDS,
    reissue_seconds: float = REISSUE_SECONDS,
    poll: Callable[[int], None] = _poll,
) -> None:
    """Run until ``stop`` is set or the mailbox is deactivated (in a thread of its own)."""
    try:
        _watch(mailbox_id, stop, check_seconds, reissue_seconds, poll)
    finally:
        connection.close()  # this thread's database connection ends with it


def _watch(
    mailbox_id: int,
    stop: threading.Event,
    check_seconds: float,
    reissue_seconds: float,
    poll: Callable[[int], None],
) -> None:
    backoff = 1.0
    while not stop.is_set():
        try:
            mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
            close_old_connections()
            if mailbox is None:
                return
            _idle_until_stopped(mailbox, stop, check_seconds, reissue_seconds, poll)
            backoff = 1.0
        except _WATCH_ERRORS as exc:
            logger.warning(
                "mailbox %s: IDLE connection lost (%s), retry in %.0fs", mailbox_id, exc, backoff
            )
            stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


def _idle_until_stopped(
    mailbox: Mailbox,
    stop: threading.Event,
    check_seconds: float,
    reissue_seconds: float,
    poll: Callable[[int], None],
) -> None:
    client = imap.connect(mailbox)
    try:
        client.select_folder(mailbox.folders[0], readonly=True)
        client.idle()
        # Catch up only now that IDLE listens: mail arriving before this poll is fetched by
        # it, mail arriving after it raises EXISTS. Polling before IDLE would leave a gap.
        poll(mailbox.pk)
        started = time.monotonic()
        while not stop.is_set():
            responses = client.idle_check(timeout=check_seconds)
            if not responses and _closed_by_server(client):
                raise IMAPClientAbortError("IDLE connection closed by the server")
            if _is_new_mail(responses):
                client.idle_done()
                poll(mailbox.pk)
                client.idle()
                started = time.monotonic()
            elif time.monotonic() - started > reissue_seconds:
                client.idle_done()
                client.noop()
                client.idle()
                started = time.monotonic()
        client.idle_done()
    finally:
        imap.close(client)
