"""DSGVO export and erasure of what the cases app holds about a customer.

Erasure keeps the case skeleton (number, dates, status, intent, team) for statistics and SLA
reports, and removes what identifies or was said: subjects, message texts, sender labels and
attachment files. Registered by ``wiring.py`` as provider ``"cases"``.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction

from kundenversteher.cases.models import Attachment, Case, Message
from kundenversteher.customers.models import Customer

ERASED = "[gelöscht]"


def _customer_ids(customer_id: int) -> list[int]:
    """The customer and every duplicate merged into it (transitively)."""
    ids = [customer_id]
    frontier = [customer_id]
    while frontier:
        frontier = [
            i
            for i in Customer.objects.filter(merged_into_id__in=frontier).values_list(
                "id", flat=True
            )
            if i not in ids
        ]
        ids += frontier
    return ids


class CasesPrivacyProvider:
    def export(self, customer_id: int) -> dict[str, Any]:
        cases = (
            Case.objects.filter(customer_id__in=_customer_ids(customer_id))
            .prefetch_related("messages__attachments")
            .order_by("received_at", "id")
        )
        return {
            "cases": [
                {
                    "number": case.number,
                    "subject": case.subject,
                    "status": case.status,
                    "channel": case.channel,
                    "received_at": case.received_at.isoformat(),
                    "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
                    "messages": [
                        {
                            "direction": message.direction,
                            "channel": message.channel,
                            "created_at": message.created_at.isoformat(),
                            "author": message.author_label,
                            "text": message.body_text,
                            "attachments": [
                                {
                                    "filename": attachment.original_filename,
                                    "content_type": attachment.content_type,
                                    "size": attachment.size,
                                }
                                for attachment in message.attachments.all()
                            ],
                        }
                        # Internal notes are the company's working papers, but they are about
                        # the customer, so they are exported too (Art. 15 DSGVO).
                        for message in case.messages.all()
                    ],
                }
                for case in cases
            ]
        }

    def erase(self, customer_id: int) -> int:
        case_ids = list(
            Case.objects.filter(customer_id__in=_customer_ids(customer_id)).values_list(
                "id", flat=True
            )
        )
        changed = (
            Case.objects.filter(pk__in=case_ids).exclude(subject=ERASED).update(subject=ERASED)
        )
        messages = Message.objects.filter(case_id__in=case_ids)
        changed += messages.exclude(body_text="", body_html="", author_label="").update(
            body_text="", body_html="", author_label=""
        )
        for attachment in Attachment.objects.filter(message__case_id__in=case_ids):
            # The file itself goes too, but only once the erasure has committed.
            transaction.on_commit(
                functools.partial(attachment.file.storage.delete, attachment.file.name)
            )
            attachment.delete()
            changed += 1
        return changed
