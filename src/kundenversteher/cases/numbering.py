"""Case numbers ``KV-<year>-<6 digits>``, gap-free and sequential per year.

The counter row is incremented by a conditional UPDATE, which takes the row lock on PostgreSQL
(and the database write lock on SQLite) until the surrounding transaction ends, so two
concurrent ``open_case`` calls can never read the same value. Call inside a transaction.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F

from kundenversteher.cases.models import CaseNumberCounter

_ZONE = ZoneInfo("Europe/Berlin")


def format_case_number(year: int, value: int) -> str:
    return f"KV-{year}-{value:06d}"


def allocate_case_number(*, at: datetime) -> str:
    year = at.astimezone(_ZONE).year
    if not CaseNumberCounter.objects.filter(year=year).update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():  # savepoint: a lost create race must not poison the txn
                CaseNumberCounter.objects.create(year=year, last_value=1)
        except IntegrityError:
            CaseNumberCounter.objects.filter(year=year).update(last_value=F("last_value") + 1)
    value = CaseNumberCounter.objects.get(year=year).last_value
    return format_case_number(year, value)
