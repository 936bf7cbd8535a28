"""Optional inbound SMTP (aiosmtpd): for mail servers that pipe customer mail in directly.

Only recipients that are addresses of active mailboxes are accepted (550 otherwise), so the
server cannot be used as a relay or a spam sink. A message is acknowledged with 250 only
after it is committed; on any error the answer is 451 and the sending server tries again
later, so nothing is lost. Run it with ``kundenversteher kv_smtpd`` behind the company's MTA.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import connection

from kundenversteher.intake.mail import queries, services

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 30 * 1024 * 1024


def _store(rcpt_tos: list[str], raw: bytes, mail_from: str, peer: str) -> int | None:
    try:
        mailbox = next(
            (m for m in (queries.mailbox_for_address(r) for r in rcpt_tos) if m is not None), None
        )
        if mailbox is None:
            return None
        received = services.receive_smtp(
            mailbox=mailbox, raw=raw, mail_from=mail_from, rcpt_tos=rcpt_tos, peer=peer
        )
        return received.inbound_id
    finally:
        # Runs in asgiref's executor thread: no connection may outlive the call.
        connection.close()


def _known_recipient(address: str) -> bool:
    try:
        return queries.mailbox_for_address(address) is not None
    finally:
        # Runs in asgiref's executor thread: no connection may outlive the call.
        connection.close()


class IntakeSmtpHandler:
    """aiosmtpd handler: RCPT checks the address, DATA stores the raw bytes through intake."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not await sync_to_async(_known_recipient)(address):
            return "550 5.1.1 Unbekannter Empfänger / unknown recipient"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content or envelope.content
        peer = str(session.peer[0]) if session.peer else ""
        try:
            inbound_id = await sync_to_async(_store)(
                list(envelope.rcpt_tos), bytes(raw), str(envelope.mail_from or ""), peer
            )
        except Exception:
            # Whatever failed, the sender keeps the mail and retries: 4xx, never a silent 250.
            logger.exception("inbound SMTP: storing a message failed")
            return "451 4.3.0 Vorübergehender Fehler, bitte später erneut senden"
        if inbound_id is None:
            return "550 5.1.1 Unbekannter Empfänger / unknown recipient"
        return f"250 OK gespeichert als {inbound_id}"


def make_controller(*, host: str, port: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Controller:
    return Controller(IntakeSmtpHandler(), hostname=host, port=port, data_size_limit=max_bytes)
