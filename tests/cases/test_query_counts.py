"""Query budgets of the inbound write path: opening, routing and filing a case.

The numbers are pinned so that a change which adds a query per case (an N+1 over agents or
rules, a re-read after a save) fails here. Measured with ``CaptureQueriesContext``; savepoint
statements count too.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundenversteher.cases import services
from kundenversteher.cases.models import Case, Message, Priority
from kundenversteher.customers.models import Customer
from tests.cases.factories import (
    make_agent,
    make_calendar,
    make_customer,
    make_policy,
    make_rule,
    make_team,
)

# A Tuesday morning inside the 8–17 calendar: every agent is on duty.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))

# open_case with a first message for a known customer, routed by a rule to a team of agents
# (the year's case number counter exists): savepoint, customer, case number (UPDATE …
# RETURNING), SLA policy, closed days, INSERT case, event, webhook guard, INSERT message, event,
# mailbox guard, webhook guard, routing rules, team members, their open load, their skills,
# UPDATE case, UPDATE agent, INSERT routing decision, event, webhook guard, release savepoint.
# (Was 32 before the performance pass: lock re-read, first-message read, customer re-read,
# closed days per agent, refresh after routing, counter SELECT.)
OPEN_CASE_QUERIES = 22


def _company(*, agents: int, rules: int) -> Customer:
    calendar = make_calendar()
    make_policy(calendar=calendar)
    service = make_team("Service", is_default=True)
    stoerung = make_team("Störungen")
    for i in range(rules):
        make_rule(f"Rechnung {i}", team=service, order=i, intents=[f"invoice_{i}"])
    make_rule("Störung", team=stoerung, order=100, intents=["device_fault"], add_tag="störung")
    for i in range(agents):
        make_agent(
            f"agent{i}", teams=[stoerung], calendar=calendar, skills={"device_fault": 1 + i % 5}
        )
    return make_customer("Schmidt", first_name="Anna")


def _open(customer: Customer) -> Case:
    return services.open_case(
        subject="Störung Wärmepumpe",
        channel="email",
        customer_id=customer.pk,
        intent="device_fault",
        priority=Priority.NORMAL,
        body_text="Die Wärmepumpe zeigt den Fehler E42.",
        now=NOW,
    )


def test_opening_and_routing_a_case_for_a_known_customer_takes_a_fixed_number_of_queries(db):
    customer = _company(agents=2, rules=1)
    _open(customer)  # the year's first case creates the number counter

    with CaptureQueriesContext(connection) as queries:
        case = _open(customer)

    assert [case.team.name, case.assignee.username] == ["Störungen", "agent1"]  # type: ignore[union-attr]
    assert len(queries) == OPEN_CASE_QUERIES


def test_more_agents_and_rules_do_not_cost_more_queries_per_case(db):
    customer = _company(agents=8, rules=6)
    _open(customer)

    with CaptureQueriesContext(connection) as queries:
        case = _open(customer)

    assert case.tags == ["störung"]
    assert len(queries) == OPEN_CASE_QUERIES


def test_the_returned_case_matches_the_stored_row_without_a_refresh(db):
    customer = _company(agents=2, rules=1)

    case = _open(customer)

    stored = Case.objects.get(pk=case.pk)
    fields = ["team_id", "assignee_id", "version", "priority", "tags", "sla_policy_id"]
    assert [getattr(case, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert (case.first_response_due, case.resolution_due, case.updated_at) == (
        stored.first_response_due,
        stored.resolution_due,
        stored.updated_at,
    )


def test_a_customer_reply_is_filed_into_its_case_with_one_lock_read(db):
    customer = _company(agents=2, rules=1)
    case = _open(customer)

    with CaptureQueriesContext(connection) as queries:
        message = services.file_inbound(
            case_id=case.pk,
            subject="AW: Störung Wärmepumpe",
            channel="email",
            body_text="Danke, Dienstag passt.",
            customer_id=customer.pk,
            now=NOW,
        )

    assert message.case_id == case.pk
    assert Message.objects.filter(case=case).count() == 2
    # Merge check, locked read, INSERT message, event, mailbox guard, webhook guard, UPDATE case
    # (file_inbound sets no savepoint inside a caller's transaction).
    assert len(queries) == 7
