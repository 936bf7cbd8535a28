"""Server fixtures for the mail transport: one Dovecot and one SMTP sink per test session."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.intake.mail.servers import Dovecot, SmtpSink, dovecot_available

_account_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not dovecot_available():
        pytest.fail("dovecot is not installed (Debian package dovecot-imapd, see system-deps)")
    # Not below pytest's tmp folder: its parents are private to us, and Dovecot's own users
    # (auth, mail) must reach the config and the Maildir.
    root = Path(tempfile.mkdtemp(prefix="kv-dovecot-"))
    server = Dovecot(root)
    server.start()
    try:
        yield server
    finally:
        server.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_account(dovecot: Dovecot) -> tuple[str, str]:
    """A fresh, empty IMAP account (username, password) on the session's Dovecot."""
    # Unique per test and per run: the session's Maildirs persist between tests.
    username = f"service{next(_account_numbers)}-{uuid.uuid4().hex[:8]}@brenner.test"
    return username, dovecot.password


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
