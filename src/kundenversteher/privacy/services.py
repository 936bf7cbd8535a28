"""Data-subject rights (DSGVO Art. 15 access/portability, Art. 17 erasure) across all apps.

Each app holding personal data registers a ``PrivacyProvider`` (see ``registry.py``); these
services fan out to all of them and to the event log, and leave an audit entry behind.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from kundenversteher.events.models import Event
from kundenversteher.events.services import erase_customer_events, record
from kundenversteher.privacy.audit import record_audit
from kundenversteher.privacy.models import AuditEntry
from kundenversteher.privacy.registry import registered_providers
from kundenversteher.privacy.types import ErasureReport

Actor = AbstractBaseUser | AnonymousUser | None

# The audit log speaks of data subjects by this label (no name: the log outlives erasure).
SUBJECT_MODEL = "privacy.data_subject"


def _export_events(customer_id: int) -> list[dict[str, Any]]:
    return [
        {
            "occurred_at": e.occurred_at.isoformat(),
            "kind": e.kind,
            "channel": e.channel,
            "case_id": e.case_id,
            "actor_kind": e.actor_kind,
            "payload": e.payload,
        }
        for e in Event.objects.filter(customer_id=customer_id).order_by("occurred_at", "id")
    ]


def export_customer_data(customer_id: int, *, by: Actor = None) -> dict[str, Any]:
    """Everything the platform stores about the customer, as JSON-compatible data.

    Keys: ``customer_id``, ``exported_at``, one key per registered provider, ``events``.
    The export itself is audited and recorded as an event.
    """
    with transaction.atomic():
        data: dict[str, Any] = {
            "customer_id": customer_id,
            "exported_at": timezone.now().isoformat(),
        }
        for name, provider in registered_providers().items():
            data[name] = provider.export(customer_id)
        data["events"] = _export_events(customer_id)
        # One round trip through JSON guarantees the promise (dates, decimals → strings).
        result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        record_audit(
            actor=by,
            action=AuditEntry.Action.EXPORT,
            model=SUBJECT_MODEL,
            object_id=customer_id,
            changes={"providers": sorted(registered_providers())},
        )
        record("privacy.data_exported", actor=by, customer_id=customer_id)
    return result


def erase_customer_data(customer_id: int, *, by: Actor) -> ErasureReport:
    """Erase the customer's personal data in every app, in one transaction. Safe to repeat.

    Providers anonymise what law requires us to keep (e.g. orders, HGB/AO retention) and delete
    the rest; events keep the fact that something happened but lose payload and actor label.
    """
    with transaction.atomic():
        rows = {
            name: provider.erase(customer_id) for name, provider in registered_providers().items()
        }
        events = erase_customer_events(customer_id=customer_id)
        report = ErasureReport(
            customer_id=customer_id,
            erased_at=timezone.now(),
            rows_by_provider=rows,
            events_anonymised=events,
        )
        record_audit(
            actor=by,
            action=AuditEntry.Action.ERASE,
            model=SUBJECT_MODEL,
            object_id=customer_id,
            changes={"rows": rows, "events_anonymised": events},
        )
        # Recorded after the anonymisation so this record survives it; it holds counts only.
        record("privacy.data_erased", actor=by, customer_id=customer_id, data={"rows": rows})
    return report
