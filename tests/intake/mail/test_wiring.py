"""The reactions as wiring.py registers them: guarded, enqueued after commit, end in SMTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from kundenversteher import wiring
from kundenversteher.cases import services as case_services
from kundenversteher.cases.models import Message
from kundenversteher.events.services import Guarded, register_reactions
from kundenversteher.intake import services as intake_services
from kundenversteher.intake.mail import queries, tasks
from kundenversteher.intake.mail.models import OutboundMail
from tests.cases.factories import make_user
from tests.customers.factories import make_customer
from tests.intake.mail.factories import make_mail, make_mailbox
from tests.intake.mail.servers import SmtpSink

pytestmark = [pytest.mark.server, pytest.mark.django_db]

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def mail_reactions() -> Iterator[None]:
    """The lines the lead adds to wiring.REACTIONS, registered for this test only."""
    register_reactions(
        {
            **wiring.REACTIONS,
            "case.message_added": [
                Guarded(tasks.send_case_reply, wanted=queries.any_sending_mailbox)
            ],
        }
    )
    try:
        yield
    finally:
        register_reactions(wiring.REACTIONS)


def _queued_task_names() -> list[str]:
    return sorted(r.task_path.rsplit(".", 1)[-1] for r in DBTaskResult.objects.all())


def test_agent_reply_is_enqueued_after_commit_and_sent(
    mail_reactions: None, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port)
    received = intake_services.receive(
        channel="email",
        raw=make_mail(),
        source="imap:Service/INBOX",
        meta={"mailbox_id": mailbox.pk},
    )
    case = case_services.open_case(
        subject="Störung Wärmepumpe",
        channel="email",
        customer_id=make_customer(email="anna.schmidt@example.de").pk,
        body_text="Meine Wärmepumpe zeigt E42.",
        raw_ref=f"intake:{received.inbound_id}",
        route=False,
    )
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        case_services.add_message(
            case_id=case.pk,
            direction=Message.Direction.OUTBOUND,
            body_text="Wir kommen morgen.",
            by=make_user("ben", is_superuser=True),
        )

    assert "send_case_reply" in _queued_task_names()
    [reaction] = [r for r in DBTaskResult.objects.all() if r.task_path.endswith("send_case_reply")]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_case_reply.call(*reaction.args_kwargs["args"]).startswith("queued")
    [queued] = OutboundMail.objects.all()
    assert "send_outbound" in _queued_task_names()
    assert tasks.send_outbound.call(queued.pk) == "sent"
    assert len(smtp_sink.received) == 1


def test_without_an_smtp_mailbox_no_reply_task_is_enqueued(
    mail_reactions: None, django_capture_on_commit_callbacks: Capture
) -> None:
    case = case_services.open_case(subject="Frage", channel="email", route=False)
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        case_services.add_message(
            case_id=case.pk,
            direction=Message.Direction.OUTBOUND,
            body_text="Antwort",
            by=make_user("ben", is_superuser=True),
        )

    assert "send_case_reply" not in _queued_task_names()
