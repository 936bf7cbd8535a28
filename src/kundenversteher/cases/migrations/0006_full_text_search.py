"""Full-text search for the inbox (see cases/search.py) and indexes for its sort orders.

SQLite: FTS5 tables with external content (the text is not stored twice) over case subjects and
message texts, kept current by triggers; PostgreSQL: GIN expression indexes over
``to_tsvector('german', …) || to_tsvector('simple', …)``. Triggers, not Python code, keep the SQLite
index current: every write path (services, bulk demo loads, privacy erasure) is covered, and erased
text leaves the index in the same transaction.

Caveat (SQLite): a later migration that rebuilds ``cases_case`` or ``cases_message`` (Django copies
the table) drops the triggers and the sort indexes; tests/cases/test_search.py checks they exist
after all migrations, and ``cases.search.rebuild_search_index()`` plus re-running this SQL repairs.
"""

# SQL from identifiers in this module only (FTS_SOURCES, SORT_INDEXES); nothing from users.
# ruff: noqa: S608

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# (table, column) pairs indexed for full-text search.
FTS_SOURCES = (("cases_case", "subject"), ("cases_message", "body_text"))


def _sqlite_forward(table: str, column: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"{column}, content='{table}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _sqlite_backward(table: str, column: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{suffix}" for suffix in ("ai", "ad", "au")),
        f"DROP TABLE IF EXISTS {fts}",
    ]


def _postgres_forward(table: str, column: str) -> list[str]:
    # The expression must be spelled exactly like cases.search.POSTGRES_VECTOR so the planner
    # can use the index.
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_{column}_fts ON {table} USING gin (("
        f"to_tsvector('german'::regconfig, {column}) || "
        f"to_tsvector('simple'::regconfig, {column})))"
    ]


def _postgres_backward(table: str, column: str) -> list[str]:
    return [f"DROP INDEX IF EXISTS {table}_{column}_fts"]


# Inbox sort orders on a million cases. The id in each index keeps equal keys (above all the
# many cases without a resolution due time) in sort order, so a page needs no sort step.
SORT_INDEXES = (
    ("cases_case_received_at_kv", "cases_case (received_at, id)"),
    ("cases_case_updated_at_kv", "cases_case (updated_at, id)"),
    ("cases_case_resolution_due_kv", "cases_case (resolution_due, id)"),
)


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements: list[str] = []
    for table, column in FTS_SOURCES:
        if vendor == "sqlite":
            statements += _sqlite_forward(table, column)
        elif vendor == "postgresql":
            statements += _postgres_forward(table, column)
    statements += [
        f"CREATE INDEX IF NOT EXISTS {name} ON {target}" for name, target in SORT_INDEXES
    ]
    _run(schema_editor, statements)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements: list[str] = [f"DROP INDEX IF EXISTS {name}" for name, _ in SORT_INDEXES]
    for table, column in FTS_SOURCES:
        if vendor == "sqlite":
            statements += _sqlite_backward(table, column)
        elif vendor == "postgresql":
            statements += _postgres_backward(table, column)
    _run(schema_editor, statements)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_understanding_corrections_macros")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
