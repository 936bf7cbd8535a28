"""Inbox reads: full-text search over cases (number, subject, customer name, message texts) and
the inbox views (mine, teams, unassigned, due, breached, waiting, all) built on queries.list_cases.

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.expressions import RawSQL
from django.utils import timezone

from kundenversteher.cases.access import UserLike, role_of, team_ids_of
from kundenversteher.cases.models import (
    PRIORITY_ORDER,
    Case,
    CaseQuerySet,
    Message,
    Role,
)
from kundenversteher.cases.queries import list_cases, sla_breached_q, sla_due_q
from kundenversteher.cases.states import ACTIVE_STATUSES, Status
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


def _text_selects(terms: tuple[Term, ...]) -> list[tuple[str, tuple[str, ...]]] | None:
    """SELECTs of case ids whose subject or one of whose messages matches; None: no index."""
    vendor = connection.vendor
    if vendor == "sqlite":
        match = sqlite_match_expression(terms)
        return [
            ("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s", (match,)),
            (
                "SELECT m.case_id FROM cases_message m "
                "JOIN cases_message_fts f ON f.rowid = m.id WHERE cases_message_fts MATCH %s",
                (match,),
            ),
        ]
    if vendor == "postgresql":
        # Either configuration may answer: German for inflected words, simple for the rest.
        german, german_params = postgres_tsquery(terms, config="german")
        simple, simple_params = postgres_tsquery(terms, config="simple")
        tsquery = f"({german} || {simple})"
        params = (*german_params, *simple_params)
        subject = POSTGRES_VECTOR.format(column="subject")
        body = POSTGRES_VECTOR.format(column="body_text")
        return [
            (f"SELECT id FROM cases_case WHERE {subject} @@ {tsquery}", params),  # noqa: S608
            (f"SELECT case_id FROM cases_message WHERE {body} @@ {tsquery}", params),  # noqa: S608
        ]
    return None


def _substring_filter(terms: tuple[Term, ...]) -> Q:
    # Other databases (not supported, but not broken): substring search without an index.
    subjects = Case.objects.all()
    messages = Message.objects.all()
    for term in terms:
        for word in term.words:
            subjects = subjects.filter(subject__icontains=word)
            messages = messages.filter(body_text__icontains=word)
    return Q(pk__in=subjects.values("pk")) | Q(pk__in=messages.values("case_id"))


def _named_customers(terms: tuple[Term, ...]) -> QuerySet[Customer]:
    """Customers whose first, last or company name holds every word of the query."""
    customers = Customer.objects.all()
    for word in (word for term in terms for word in term.words):
        customers = customers.filter(
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    return customers


def _customer_cases(terms: tuple[Term, ...], number: str) -> tuple[str, tuple[Any, ...]]:
    """SELECT of the ids of cases whose customer's first, last or company name holds every word
    of the query, or whose number is ``number`` (when given)."""
    condition = Q(customer_id__in=_named_customers(terms).values("pk"))
    if number:
        condition |= Q(number=number)
    sql, params = Case.objects.filter(condition).order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


def _postgres_per_row_filter(terms: tuple[Term, ...], number: str) -> Q:
    """PostgreSQL, few candidate rows: test each candidate case itself — its subject, its own
    messages (through the case_id index) — instead of collecting every match of the whole table
    first. An agent's active cases are a few hundred; "Wärmepumpe" matches ~20 000 subjects and
    messages of the million-case data set, and hashing those ids cost ~350 ms per search."""
    german, german_params = postgres_tsquery(terms, config="german")
    simple, simple_params = postgres_tsquery(terms, config="simple")
    tsquery = f"({german} || {simple})"
    params = (*german_params, *simple_params)
    subject = POSTGRES_VECTOR.format(column='"cases_case"."subject"')
    body = POSTGRES_VECTOR.format(column="m.body_text")
    text_match = (
        f"({subject} @@ {tsquery} OR EXISTS (SELECT 1 FROM cases_message m"  # noqa: S608
        f' WHERE m.case_id = "cases_case"."id" AND {body} @@ {tsquery}))'
    )
    found = Q(RawSQL(text_match, (*params, *params), output_field=BooleanField()))  # noqa: S611
    # The candidate's own customer, not every customer of that name (a 20 000-row scan).
    found |= Q(Exists(_named_customers(terms).filter(pk=OuterRef("customer_id"))))
    if number:
        found |= Q(number=number)
    return found


# More matches than this (of the whole table, before visibility and view filters) count as a
# frequent word on PostgreSQL; see case_search_filter.
SPARSE_MATCHES = 2000


def _postgres_match_ids(selects: list[tuple[str, tuple[Any, ...]]], *, limit: int) -> list[int]:
    """Up to ``limit`` ids from the SELECTs (duplicates possible: UNION ALL streams, UNION
    would have to collect every match before the first row comes out)."""
    sql = " UNION ALL ".join(f"({select})" for select, _ in selects)
    params = [param for _, select_params in selects for param in select_params]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS found LIMIT %s", [*params, limit])  # noqa: S608
        return [int(row[0]) for row in cursor.fetchall()]


def case_search_filter(query: str, *, few_candidates: bool = False) -> Q:
    """A filter for ``Case`` querysets matching ``query`` (see the module docstring).

    An empty or punctuation-only query returns an empty ``Q()`` (no restriction). Apply it after
    the visibility filter: it does not check who may see what. ``few_candidates``: the rest of
    the query already narrows the cases to a few (active cases only), so PostgreSQL tests those
    rows one by one (see ``_postgres_per_row_filter``); same result either way.

    SQLite gets the matching ids from ONE subquery (a UNION of the index lookups) and looks up
    those rows first (200k cases, a frequent word: 900 ms → 50 ms); for PostgreSQL see below.
    """
    terms = parse_query(query)
    if not terms:
        return Q()
    stripped = query.strip()
    number = stripped.upper() if CASE_NUMBER.match(stripped) else ""
    if few_candidates and connection.vendor == "postgresql":
        return _postgres_per_row_filter(terms, number)
    selects = _text_selects(terms)
    if selects is None:
        customer_sql, customer_params = _customer_cases(terms, number)
        return _substring_filter(terms) | Q(
            pk__in=RawSQL(customer_sql, customer_params)  # noqa: S611
        )
    selects.append(_customer_cases(terms, number))
    if connection.vendor == "postgresql":
        # A probe first: up to SPARSE_MATCHES + 1 matching ids, streamed (UNION ALL with a
        # LIMIT stops early). A rare word's few matches are then looked up by id and sorted
        # (1M cases, no match: 7 s → a few ms); walking the sorted case list, below, would
        # read the whole table before it knows there is nothing.
        ids = _postgres_match_ids(selects, limit=SPARSE_MATCHES + 1)
        if len(ids) <= SPARSE_MATCHES:
            return Q(pk__in=sorted(set(ids)))
        # Frequent word: PostgreSQL walks the sorted case list and tests each row against the
        # hashed subqueries: it stops after one page (a UNION would collect and sort every
        # match first: 200k hits, 1 s → 7 s).
        found = Q()
        for select, select_params in selects:
            found |= Q(pk__in=RawSQL(select, select_params))  # noqa: S611
        return found
    sql = " UNION ".join(select for select, _ in selects)
    params = tuple(param for _, select_params in selects for param in select_params)
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611


def rebuild_search_index() -> None:
    """Rebuild the SQLite FTS5 tables from their content tables (after a restore or repair).

    PostgreSQL's expression indexes cannot drift, so there is nothing to do there.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_message"):
            cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")  # noqa: S608


# ------------------------------------------------------------------------------------ inbox views


class InboxView(StrEnum):
    """The inbox's predefined views. Scopes (always within what the user may see):

    mine: active cases assigned to the user · teams: active cases of the user's teams ·
    unassigned: active cases nobody holds · due: a running SLA clock falls due within the warning
    window · breached: a running SLA clock is overdue · waiting: cases of the user or their teams
    waiting for the customer or a third party · all: every visible case, any status
    (supervisors and admins only).
    """

    MINE = "mine"
    TEAMS = "teams"
    UNASSIGNED = "unassigned"
    DUE = "due"
    BREACHED = "breached"
    WAITING = "waiting"
    ALL = "all"


SUPERVISOR_VIEWS = frozenset({InboxView.ALL})
WAITING_STATUSES = (Status.WAITING_CUSTOMER.value, Status.WAITING_THIRD_PARTY.value)
ACTIVE = tuple(sorted(status.value for status in ACTIVE_STATUSES))


class InboxSort(StrEnum):
    RECEIVED = "received"  # newest first
    DUE = "due"  # soonest resolution due first, cases without a due time last
    PRIORITY = "priority"  # most urgent first, then oldest first
    UPDATED = "updated"  # most recently changed first


@dataclass(frozen=True, slots=True)
class InboxFilters:
    """Filters on top of a view. Empty means "no restriction"; ``status`` replaces the view's
    default statuses. ``assignee``: None (any), "me", "none" (unassigned) or a user id."""

    status: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    intent: str = ""
    team_id: int | None = None
    language: str = ""
    assignee: str | int | None = None
    q: str = ""


def may_use_view(user: UserLike, view: InboxView) -> bool:
    return view not in SUPERVISOR_VIEWS or role_of(user) in {Role.ADMIN, Role.SUPERVISOR}


def _team_ids(user: UserLike) -> list[int]:
    return team_ids_of(user)  # memoised per request by access.AccessMemoMiddleware


def list_inbox(
    *,
    user: UserLike,
    view: InboxView,
    filters: InboxFilters = InboxFilters(),  # noqa: B008 - frozen, so a shared default is safe
    sort: InboxSort = InboxSort.RECEIVED,
    now: datetime | None = None,
    due_within_minutes: int = 60,
) -> CaseQuerySet:
    """The cases of one inbox view for ``user``, filtered and sorted (visibility applied first).

    A view the user may not use (``all`` for agents) is empty rather than an error: the caller
    decides what to show. Built on ``queries.list_cases``; the sort orders are backed by indexes
    (received/updated: migration 0006, due: resolution_due, priority: evaluated on the filtered
    rows).
    """
    if not may_use_view(user, view):
        return Case.objects.none()
    own_id = int(user.pk) if user is not None and user.pk is not None else None
    status: tuple[str, ...] = filters.status
    extra = Q()
    kwargs: dict[str, Any] = {}
    if view is InboxView.MINE:
        kwargs["assignee_id"] = own_id
        status = status or ACTIVE
    elif view is InboxView.TEAMS:
        extra &= Q(team_id__in=_team_ids(user))
        status = status or ACTIVE
    elif view is InboxView.UNASSIGNED:
        kwargs["unassigned"] = True
        status = status or ACTIVE
    elif view is InboxView.DUE:
        kwargs["sla"] = "due"
    elif view is InboxView.BREACHED:
        kwargs["sla"] = "breached"
    elif view is InboxView.WAITING:
        extra &= Q(assignee_id=own_id) | Q(team_id__in=_team_ids(user))
        status = tuple(s for s in status if s in WAITING_STATUSES) if status else WAITING_STATUSES
        if not status:
            return Case.objects.none()
    qs = list_cases(
        user=user,
        status=status,
        team_id=filters.team_id,
        priority=filters.priority,
        channel=filters.channel,
        intent=filters.intent,
        now=now,
        due_within_minutes=due_within_minutes,
        **kwargs,
    ).filter(extra)
    active_only = status or (ACTIVE if view in {InboxView.DUE, InboxView.BREACHED} else ())
    few_candidates = bool(active_only) and set(active_only) <= set(ACTIVE)
    if few_candidates:
        # Planner hint, same result: SQLite's statistics see ~4 statuses spread evenly and scan
        # the table, while in practice almost every case is closed and the active ones are few.
        # An id list from the status index lets it look up those few rows (200k cases: 250 ms
        # → under 1 ms). Only for active statuses: closed ones are the many.
        qs = qs.filter(pk__in=Case.objects.filter(status__in=list(active_only)).values("pk"))
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=own_id)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif isinstance(filters.assignee, int):
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.q.strip():
        qs = qs.filter(case_search_filter(filters.q, few_candidates=few_candidates))
    return _sorted(qs, sort)


def _sorted(qs: CaseQuerySet, sort: InboxSort) -> CaseQuerySet:
    if sort is InboxSort.DUE:
        return qs.order_by(F("resolution_due").asc(nulls_last=True), "id")
    if sort is InboxSort.PRIORITY:
        rank = SqlCase(
            *(When(priority=p, then=Value(i)) for i, p in enumerate(PRIORITY_ORDER)),
            default=Value(-1),
            output_field=IntegerField(),
        )
        return qs.annotate(priority_rank=rank).order_by("-priority_rank", "received_at", "id")
    if sort is InboxSort.UPDATED:
        return qs.order_by("-updated_at", "-id")
    return qs.order_by("-received_at", "-id")


def _active_view_conditions(
    *, user: UserLike, views: Sequence[InboxView], now: datetime, due_within_minutes: int
) -> dict[InboxView, Q]:
    """For the views over active cases: the condition that picks a view's cases out of the
    user's visible active cases, exactly as ``list_inbox`` picks them (without filters)."""
    own_id = int(user.pk) if user is not None and user.pk is not None else None
    horizon = now + timedelta(minutes=due_within_minutes)
    running = Q(sla_paused_at__isnull=True)
    conditions: dict[InboxView, Q] = {}
    for view in views:
        if view is InboxView.MINE:
            conditions[view] = Q(assignee_id=own_id)
        elif view is InboxView.TEAMS:
            conditions[view] = Q(team_id__in=_team_ids(user))
        elif view is InboxView.UNASSIGNED:
            conditions[view] = Q(assignee__isnull=True)
        elif view is InboxView.DUE:
            conditions[view] = running & sla_due_q(now, horizon)
        elif view is InboxView.BREACHED:
            conditions[view] = running & sla_breached_q(now)
        elif view is InboxView.WAITING:
            conditions[view] = (Q(assignee_id=own_id) | Q(team_id__in=_team_ids(user))) & Q(
                status__in=WAITING_STATUSES
            )
    return conditions


def count_inbox_views(
    *, user: UserLike, views: Sequence[InboxView], cap: int = 1000, now: datetime | None = None
) -> dict[InboxView, int]:
    """Case count per view for the navigation, each at most ``cap`` (shown as "999+").

    The views over active cases are counted in ONE query over the user's visible active cases
    (conditional counts; six queries and their ORM cost before): its cost grows with the
    number of active cases, which stays small next to the closed ones. "all" counts up to
    ``cap`` with a LIMIT, so a million closed cases cost a bounded index walk, not a full count.
    """
    now = now or timezone.now()
    counts: dict[InboxView, int] = {}
    conditions = _active_view_conditions(
        user=user,
        views=[v for v in views if v is not InboxView.ALL],
        now=now,
        due_within_minutes=60,
    )
    if conditions:
        active = Case.objects.visible_to(user).filter(status__in=list(ACTIVE)).order_by()
        totals = active.aggregate(
            **{view.value: Count("pk", filter=condition) for view, condition in conditions.items()}
        )
        counts.update({view: min(int(totals[view.value] or 0), cap) for view in conditions})
    if InboxView.ALL in views:
        counts[InboxView.ALL] = (
            list_inbox(user=user, view=InboxView.ALL, now=now).order_by()[:cap].count()
        )
    return {view: counts[view] for view in views}


def case_in_view(
    *,
    user: UserLike,
    case_id: int,
    view: InboxView,
    filters: InboxFilters = InboxFilters(),  # noqa: B008 - frozen, so a shared default is safe
    now: datetime | None = None,
) -> Case | None:
    """The case (with what a row shows) if it belongs to the view for this user, else None.

    Visibility comes first through ``list_inbox``; callers that must tell "not in this view" from
    "not visible at all" ask ``Case.objects.visible_to(user)`` themselves.
    """
    return list_inbox(user=user, view=view, filters=filters, now=now).filter(pk=case_id).first()
