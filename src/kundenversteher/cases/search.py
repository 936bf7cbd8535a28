"""Full-text search over cases for the inbox: number, subject, customer name and message texts.

SQLite uses the FTS5 tables ``cases_case_fts`` / ``cases_message_fts`` (external content, kept
current by triggers; migration 0006), PostgreSQL the GIN expression indexes over
``to_tsvector('german', …) || to_tsvector('simple', …)``: German stemming finds "Heizungen" for
"Heizung", the simple configuration keeps words German stemming drops (stop words, names, numbers).

Query language (the same on both databases): whitespace separates terms, all terms must match;
a term made of one word matches as a prefix ("Wärmep" finds "Wärmepumpe"); a term with inner
punctuation ("RE-2026-001234", "BW2301004567") matches as a phrase of its parts. A case number
("KV-2026-000123") also matches the case exactly. A case matches when ALL terms are found in ONE
of: its subject, one of its messages, its customer's name — terms spread over two fields do not
match (an agent searching "Müller Heizung" gets Müller's cases only when one text holds both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from kundenversteher.cases.models import Case, Message
from kundenversteher.customers.models import Customer

CASE_NUMBER = re.compile(r"^KV-\d{4}-\d{6}$", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
# Longer queries are cut: each term costs an index probe, and nobody types twelve words.
MAX_TERMS = 8
# One-letter prefixes match a large part of the index; they are searched as whole words only.
MIN_PREFIX_LENGTH = 2

POSTGRES_VECTOR = (
    "(to_tsvector('german'::regconfig, {column}) || to_tsvector('simple'::regconfig, {column}))"
)


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: a single word (prefix match) or a phrase of words.

    ``text`` is the term as typed; PostgreSQL parses it with its own parser for phrases, which
    splits "RE-2026-001234" differently ("re", "-2026", "-001234") than ``\\w+`` does.
    """

    words: tuple[str, ...]
    text: str

    @property
    def prefix(self) -> bool:
        return len(self.words) == 1 and len(self.words[0]) >= MIN_PREFIX_LENGTH


def parse_query(query: str) -> tuple[Term, ...]:
    """Split a user's query into terms; punctuation and operators are not syntax (safe to type)."""
    terms: list[Term] = []
    for chunk in query.split():
        # lower(), not casefold(): casefold turns ß into ss, which the index does not do.
        words = tuple(word.lower() for word in _WORD.findall(chunk))
        if words:
            terms.append(Term(words, chunk))
    return tuple(terms[:MAX_TERMS])


def sqlite_match_expression(terms: tuple[Term, ...]) -> str:
    """An FTS5 MATCH string. Words are \\w+ only, and each is quoted: no FTS5 syntax leaks in."""
    parts = []
    for term in terms:
        phrase = '"' + " ".join(term.words) + '"'
        parts.append(phrase + "*" if term.prefix else phrase)
    return " AND ".join(parts)


def postgres_tsquery(terms: tuple[Term, ...], *, config: str) -> tuple[str, list[str]]:
    """SQL for a tsquery in ``config`` (a constant of ours) and its parameters.

    Prefix terms: ``to_tsquery('word:*')`` (the word is \\w+ only, so no tsquery syntax gets in);
    phrases: ``phraseto_tsquery(text)``, which reads its input as plain text.
    """
    parts: list[str] = []
    params: list[str] = []
    for term in terms:
        if len(term.words) == 1:
            parts.append(f"to_tsquery('{config}'::regconfig, %s)")
            params.append(f"{term.words[0]}:*" if term.prefix else term.words[0])
        else:
            parts.append(f"phraseto_tsquery('{config}'::regconfig, %s)")
            params.append(term.text)
    return "(" + " && ".join(parts) + ")", params


# Raw SQL below: table, column and configuration names are constants of this module; the user's
# text only ever travels as a query parameter.


def _sqlite_ids(table: str, id_sql: str, match: str) -> RawSQL:
    sql = f"SELECT {id_sql} FROM {table}_fts WHERE {table}_fts MATCH %s"  # noqa: S608
    return RawSQL(sql, (match,))  # noqa: S611


def _text_filters(terms: tuple[Term, ...]) -> Q:
    vendor = connection.vendor
    if vendor == "sqlite":
        match = sqlite_match_expression(terms)
        return Q(pk__in=_sqlite_ids("cases_case", "rowid", match)) | Q(
            pk__in=RawSQL(
                "SELECT m.case_id FROM cases_message m "
                "JOIN cases_message_fts f ON f.rowid = m.id WHERE cases_message_fts MATCH %s",
                (match,),
            )
        )
    if vendor == "postgresql":
        # Either configuration may answer: German for inflected words, simple for the rest.
        german, german_params = postgres_tsquery(terms, config="german")
        simple, simple_params = postgres_tsquery(terms, config="simple")
        tsquery = f"({german} || {simple})"
        params = (*german_params, *simple_params)
        subject = POSTGRES_VECTOR.format(column="subject")
        body = POSTGRES_VECTOR.format(column="body_text")
        in_subject = f"SELECT id FROM cases_case WHERE {subject} @@ {tsquery}"  # noqa: S608
        in_body = f"SELECT case_id FROM cases_message WHERE {body} @@ {tsquery}"  # noqa: S608
        return Q(pk__in=RawSQL(in_subject, params)) | Q(  # noqa: S611
            pk__in=RawSQL(in_body, params)  # noqa: S611
        )
    # Other databases (not supported, but not broken): substring search without an index.
    subjects = Case.objects.all()
    messages = Message.objects.all()
    for term in terms:
        for word in term.words:
            subjects = subjects.filter(subject__icontains=word)
            messages = messages.filter(body_text__icontains=word)
    return Q(pk__in=subjects.values("pk")) | Q(pk__in=messages.values("case_id"))


def _customer_filter(terms: tuple[Term, ...]) -> Q:
    """Cases of customers whose first, last or company name holds every word of the query."""
    customers = Customer.objects.all()
    for word in (word for term in terms for word in term.words):
        customers = customers.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    return Q(customer_id__in=customers.values("pk"))


def case_search_filter(query: str) -> Q:
    """A filter for ``Case`` querysets matching ``query`` (see the module docstring).

    An empty or punctuation-only query returns an empty ``Q()`` (no restriction). Apply it after
    the visibility filter: it does not check who may see what.
    """
    terms = parse_query(query)
    if not terms:
        return Q()
    found = _text_filters(terms) | _customer_filter(terms)
    stripped = query.strip()
    if CASE_NUMBER.match(stripped):
        found |= Q(number=stripped.upper())
    return found


def rebuild_search_index() -> None:
    """Rebuild the SQLite FTS5 tables from their content tables (after a restore or repair).

    PostgreSQL's expression indexes cannot drift, so there is nothing to do there.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_message"):
            cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")  # noqa: S608
