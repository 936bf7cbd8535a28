"""Case numbers ``KV-<year>-<6 digits>``, gap-free and sequential per year.

The counter row is incremented by a conditional UPDATE, which takes the row lock on PostgreSQL
(and the database write lock on SQLite) until the surrounding transaction ends, so two
concurrent ``open_case`` calls can never read the same value. Call inside a transaction.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from kundenversteher.cases.models import CaseNumberCounter

_ZONE = ZoneInfo("Europe/Berlin")


def format_case_number(year: int, value: int) -> str:
    return f"KV-{year}-{value:06d}"


def _increment_returning(year: int) -> int | None:
    """Increment and read in one statement (``UPDATE … RETURNING``); None if no row yet."""
    quote = connection.ops.quote_name
    table, value, key = (
        quote(CaseNumberCounter._meta.db_table),
        quote(CaseNumberCounter._meta.get_field("last_value").column),
        quote(CaseNumberCounter._meta.get_field("year").column),
    )
    sql = f"UPDATE {table} SET {value} = {value} + 1 WHERE {key} = %s RETURNING {value}"  # noqa: S608 - names from our model
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def allocate_case_number(*, at: datetime) -> str:
    year = at.astimezone(_ZONE).year
    # PostgreSQL and SQLite ≥ 3.35 return the new value with the UPDATE: one round trip less
    # on every new case. Other databases take the UPDATE-then-SELECT path below.
    if connection.features.can_return_columns_from_insert:
        value = _increment_returning(year)
        if value is not None:
            return format_case_number(year, value)
    if not CaseNumberCounter.objects.filter(year=year).update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():  # savepoint: a lost create race must not poison the txn
                CaseNumberCounter.objects.create(year=year, last_value=1)
        except IntegrityError:
            CaseNumberCounter.objects.filter(year=year).update(last_value=F("last_value") + 1)
    value = CaseNumberCounter.objects.get(year=year).last_value
    return format_case_number(year, value)
