"""DSGVO export and erasure of the inbound originals a customer sent.

Erasure deletes the original bytes (mail source, scanned letter) and the processing steps, and
blanks what the row keeps about the content (file name, metadata, errors). The row itself stays
as a skeleton with its dedupe key: a mail still lying on the IMAP server and fetched again must
not be imported a second time after its sender asked for erasure. Registered by ``wiring.py``
as provider ``"intake"``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from kundenversteher.customers.models import Customer
from kundenversteher.intake.models import InboundMessage, InboundStep


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


def _rows(customer_id: int) -> QuerySet[InboundMessage]:
    # Identified by the pipeline, or assigned to the customer's case later by an agent.
    ids = _customer_ids(customer_id)
    return InboundMessage.objects.filter(Q(customer_id__in=ids) | Q(case__customer_id__in=ids))


def _delete_file(relative: str) -> None:
    (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)


class IntakePrivacyProvider:
    def export(self, customer_id: int) -> dict[str, Any]:
        return {
            "inbound_messages": [
                {
                    "id": row.pk,
                    "channel": row.channel,
                    "source": row.source,
                    "received_at": row.received_at.isoformat(),
                    "state": row.state,
                    "content_type": row.content_type,
                    "filename": row.filename,
                    "size": row.raw_size,
                    "sha256": row.raw_sha256,
                    "case_id": row.case_id,
                    "original_stored": bool(row.raw_path),
                }
                for row in _rows(customer_id).order_by("received_at", "id")
            ]
        }

    def erase(self, customer_id: int) -> int:
        changed = 0
        for row in _rows(customer_id).exclude(raw_path="", meta={}, filename="", last_error=""):
            if row.raw_path:
                # The file goes only once the erasure has committed (a rollback keeps it).
                transaction.on_commit(functools.partial(_delete_file, row.raw_path))
            row.raw_path = ""
            row.meta = {}
            row.filename = ""
            row.last_error = ""
            row.save(update_fields=["raw_path", "meta", "filename", "last_error"])
            changed += 1
        steps, _ = InboundStep.objects.filter(inbound__in=_rows(customer_id)).delete()
        return changed + steps
