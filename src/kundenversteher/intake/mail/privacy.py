"""DSGVO export and erasure of the mail transport's personal data: the outbound mails.

Inbound originals belong to intake's provider; mailboxes and sync state hold no customer data.
Erasure keeps the row (kind, state, dates: the fact that a mail went out) and blanks the
address, subject and text. Registered by ``wiring.py`` as provider ``"intake_mail"``.
"""

from __future__ import annotations

from typing import Any

from kundenversteher.intake.mail.models import OutboundMail

ERASED = "[gelöscht]"


class MailPrivacyProvider:
    def export(self, customer_id: int) -> dict[str, Any]:
        mails = OutboundMail.objects.filter(case__customer_id=customer_id).order_by("created_at")
        return {
            "outbound_mails": [
                {
                    "kind": m.kind,
                    "state": m.state,
                    "to": m.to_address,
                    "subject": m.subject,
                    "text": m.body_text,
                    "created_at": m.created_at.isoformat(),
                    "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                }
                for m in mails
            ]
        }

    def erase(self, customer_id: int) -> int:
        # Not yet sent: never send it now, the address is about to be gone.
        OutboundMail.objects.filter(
            case__customer_id=customer_id,
            state__in=[OutboundMail.State.QUEUED, OutboundMail.State.FAILED],
        ).update(state=OutboundMail.State.SKIPPED, last_error="DSGVO-Löschung")
        return (
            OutboundMail.objects.filter(case__customer_id=customer_id)
            .exclude(to_address=ERASED)
            .update(to_address=ERASED, subject=ERASED, body_text=ERASED, headers={})
        )
