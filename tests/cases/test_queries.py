from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundenversteher.cases import queries, services
from kundenversteher.cases.models import Case
from kundenversteher.cases.types import CaseRef
from tests.cases.factories import make_calendar, make_case, make_policy

BERLIN = ZoneInfo("Europe/Berlin")
MON_9 = datetime(2026, 6, 8, 9, 0, tzinfo=BERLIN)


def subjects(qs) -> list[str]:
    return [c.subject for c in qs]


def test_filters_by_status_priority_channel_intent_team_and_assignee(personas):
    a = make_case(subject="A", channel="email", intent="invoice_copy", now=MON_9, route=True)
    make_case(subject="B", channel="letter", intent="order_status", priority="high", now=MON_9)
    services.change_status(case_id=a.pk, status="open", by=personas.anna)
    user = personas.admin

    assert subjects(queries.list_cases(user=user, status=["open"])) == ["A"]
    assert subjects(queries.list_cases(user=user, priority=["high"])) == ["B"]
    assert subjects(queries.list_cases(user=user, channel=["letter"])) == ["B"]
    assert subjects(queries.list_cases(user=user, intent="invoice_copy")) == ["A"]
    assert subjects(queries.list_cases(user=user, team_id=personas.service.pk)) == ["A"]
    assert subjects(queries.list_cases(user=user, assignee_id=personas.anna.pk)) == ["A"]
    assert subjects(queries.list_cases(user=user, unassigned=True)) == ["B"]
    assert subjects(queries.list_cases(user=user, q=a.number)) == ["A"]
    assert subjects(queries.list_cases(user=user, customer_id=personas.clara_customer.pk)) == []


def test_orderings(personas):
    make_case(subject="alt", now=MON_9)
    make_case(subject="dringend", priority="urgent", now=MON_9)
    make_case(subject="neu", priority="low", now=MON_9)
    user = personas.admin

    assert subjects(queries.list_cases(user=user, ordering="created")) == ["alt", "dringend", "neu"]
    assert subjects(queries.list_cases(user=user, ordering="priority")) == [
        "dringend",
        "alt",
        "neu",
    ]


def test_sla_filters_find_due_soon_and_breached_cases(personas):
    make_policy(calendar=make_calendar(), first_response_minutes=120)
    early = make_case(subject="früh", now=MON_9)  # first response due 11:00
    make_case(subject="später", now=MON_9 + timedelta(hours=3))  # due 14:00
    user = personas.admin
    now = MON_9 + timedelta(hours=1, minutes=30)

    assert subjects(queries.list_cases(user=user, sla="due", now=now)) == ["früh"]
    assert subjects(queries.list_cases(user=user, sla="breached", now=now)) == []
    later = MON_9 + timedelta(hours=4)
    assert subjects(queries.list_cases(user=user, sla="breached", now=later)) == ["früh"]
    services.add_message(case_id=early.pk, direction="outbound", body_text="Hallo", now=later)
    assert subjects(queries.list_cases(user=user, sla="breached", now=later)) == []


def test_list_cases_loads_team_assignee_and_customer_in_one_query(personas):
    for i in range(5):
        make_case(subject=f"Fall {i}", customer=personas.clara_customer, now=MON_9, route=True)

    with CaptureQueriesContext(connection) as ctx:
        rows = [
            (c.team.name, c.assignee.username, c.customer.last_name)
            for c in queries.list_cases(user=personas.admin)
        ]

    # role_of needs its own lookups; the listing itself is one query however many rows.
    listing = [q for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert len(rows) == 5
    assert len(listing) == 1


def test_case_detail_prefetches_messages_and_links(personas):
    case = make_case(body_text="Erste", now=MON_9)
    services.add_message(case_id=case.pk, direction="outbound", body_text="Antwort", now=MON_9)

    detail = queries.get_case_detail(user=personas.anna, case_id=case.pk)

    with CaptureQueriesContext(connection) as ctx:
        bodies = [m.body_text for m in detail.messages.all()]
        attachments = [list(m.attachments.all()) for m in detail.messages.all()]
    assert bodies == ["Erste", "Antwort"]
    assert attachments == [[], []]
    assert len(ctx.captured_queries) == 0
    assert queries.get_case_by_number(user=personas.anna, number=case.number.lower()) == case


def test_open_counts_per_agent_and_team_queue(personas):
    for _ in range(2):
        make_case(now=MON_9, route=True)  # Service: Anna, then Sabine
    queued = make_case(now=MON_9)
    Case.objects.filter(pk=queued.pk).update(team=personas.service)
    done = make_case(now=MON_9, route=True)  # Anna again (least load)
    services.change_status(case_id=done.pk, status="resolved", by=personas.anna)

    assert queries.count_open_by_agent() == {personas.anna.pk: 1, personas.sabine.pk: 1}
    assert subjects(queries.list_team_queue(user=personas.anna, team_id=personas.service.pk)) == [
        queued.subject
    ]


def test_case_ref_by_number_for_threading(personas):
    case = make_case(customer=personas.clara_customer, now=MON_9)

    ref = queries.get_case_ref(number=" " + case.number.lower())

    assert ref == CaseRef(
        id=case.pk, number=case.number, status="new", customer_id=personas.clara_customer.pk
    )
    assert queries.get_case_ref(number="KV-2026-999999") is None
