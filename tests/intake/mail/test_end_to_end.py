"""Done means: a mail sent to a configured mailbox ends as a routed case with the customer
identified, and the customer gets an acknowledgement with the case number."""

from __future__ import annotations

import pytest

from kundenversteher.cases.models import Case
from kundenversteher.events.models import Event
from kundenversteher.intake.mail import imap, outbound, tasks
from kundenversteher.intake.mail.models import OutboundMail
from tests.cases.factories import make_team
from tests.customers.factories import make_customer
from tests.intake.factories import run
from tests.intake.mail.factories import append_mails, make_mail, make_mailbox
from tests.intake.mail.servers import Dovecot, SmtpSink

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.django_db]


def test_mail_to_the_mailbox_becomes_a_routed_case_and_is_acknowledged(
    dovecot: Dovecot, imap_account: tuple[str, str], smtp_sink: SmtpSink
) -> None:
    team = make_team("Kundendienst", is_default=True)
    customer = make_customer(email="anna.schmidt@example.de")
    user, password = imap_account
    mailbox = make_mailbox(
        imap_port=dovecot.port,
        imap_username=user,
        imap_password=password,
        smtp_port=smtp_sink.port,
        send_acknowledgement=True,
    )
    append_mails(
        dovecot.port,
        user,
        password,
        [make_mail(from_address="anna.schmidt@example.de", message_id="<e2e-1@example.de>")],
    )

    [inbound_id] = imap.poll_mailbox(mailbox_id=mailbox.pk).inbound_ids
    outcome = run(inbound_id)

    case = Case.objects.get(pk=outcome.case_id)
    assert (case.customer_id, case.team_id, case.channel) == (customer.pk, team.pk, "email")
    processed = Event.objects.get(kind="intake.processed")
    assert tasks.send_acknowledgement.call(processed.pk).startswith("queued")
    assert outbound.deliver(outbound_id=OutboundMail.objects.get().pk) == "sent"
    [ack] = smtp_sink.messages()
    assert ack["To"] == "anna.schmidt@example.de"
    assert ack["In-Reply-To"] == "<e2e-1@example.de>"
    assert case.number in ack["Subject"]
