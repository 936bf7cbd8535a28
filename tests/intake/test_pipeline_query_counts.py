"""Query budget of one pipeline run: a stored mail from a known customer to a routed case.

Pinned so a change that adds per-message queries fails here (the intake benchmark's rate
depends on it). Savepoints and the transaction statements of the step rows count too.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kundenversteher.cases.models import Message
from kundenversteher.intake.models import InboundStep
from tests.cases.factories import make_agent, make_calendar, make_policy, make_rule, make_team
from tests.customers.factories import make_customer
from tests.intake.factories import make_mail, receive_mail, run

# Claim, read the row, identity by e-mail; then one transaction: mark done, open the case (20
# queries incl. routing to the default team's agent), link the row, index the Message-ID,
# event + webhook and mailbox guards; last the six step rows in one INSERT. Six of these are
# reaction guards (webhooks on every event, mailboxes on message_added/intake.processed).
# Was 56 before the performance pass (step rows one INSERT each, re-reads after routing and
# filing, savepoints). 32 since "no intent model" files an empty intent (no skill lookup).
# +6 for the decide step: the automation mode read, the decision row, the automation.decided
# event and its guards (webhooks, live automation), and the automatic-answer guard on
# intake.processed.
NEW_MAIL_QUERIES = 38
# Same frame, but the case is found by In-Reply-To, locked once and gets the message.
REPLY_QUERIES = 27


def _company() -> None:
    make_policy(calendar=make_calendar())
    service = make_team("Service", is_default=True)
    make_rule("Rechnungen", team=make_team("Buchhaltung"), intents=["invoice_copy"])
    # No working calendar: the agent is on duty whenever the test runs.
    make_agent("tom", teams=[service], skills={"device_fault": 3})
    make_customer("Schmidt", email="anna.schmidt@example.de")


def test_a_new_mail_from_a_known_customer_is_filed_and_routed_in_a_fixed_number_of_queries(db):
    _company()
    run(receive_mail(make_mail(message_id="<warm@example.de>")).inbound_id)  # number counter
    inbound_id = receive_mail(make_mail(message_id="<neu-2@example.de>")).inbound_id

    with CaptureQueriesContext(connection) as queries:
        outcome = run(inbound_id)

    assert outcome.new_case is True
    assert Message.objects.get(pk=outcome.message_id).case.assignee.username == "tom"  # type: ignore[union-attr]
    assert InboundStep.objects.filter(inbound_id=inbound_id).count() == 7
    assert len(queries) == NEW_MAIL_QUERIES


def test_a_reply_is_threaded_into_its_case_in_a_fixed_number_of_queries(db):
    _company()
    first = run(receive_mail(make_mail(message_id="<frage@example.de>")).inbound_id)
    reply = make_mail(
        subject="AW: Störung Wärmepumpe",
        text="Danke, der Techniker kann am Dienstag kommen.",
        message_id="<antwort@example.de>",
        in_reply_to="<frage@example.de>",
    )
    inbound_id = receive_mail(reply).inbound_id

    with CaptureQueriesContext(connection) as queries:
        outcome = run(inbound_id)

    assert (outcome.case_id, outcome.new_case) == (first.case_id, False)
    assert Message.objects.filter(case_id=first.case_id).count() == 2
    assert len(queries) == REPLY_QUERIES
