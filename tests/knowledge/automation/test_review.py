"""A customer's reply after an automatic answer: "did not help" hands the case to a person."""

from __future__ import annotations

from datetime import timedelta

from kundenversteher.cases.models import Case, Message
from kundenversteher.cases.services import file_inbound
from kundenversteher.events.models import Event
from kundenversteher.events.services import record
from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.tasks import review_reply_on_processed
from kundenversteher.knowledge.automation.types import Mode
from tests.knowledge.automation.factories import (
    NOW,
    FakeComposer,
    make_decided_case,
    set_mode,
)


def answered_case() -> Case:
    set_mode(Mode.LIVE)
    case, decision = make_decided_case(now=NOW)
    assert services.send_auto_answer(
        decision_id=decision.pk, composer=FakeComposer(), now=NOW
    ).startswith("sent ")
    return case


def reply(case: Case, text: str, *, after: timedelta = timedelta(hours=2)) -> Message:
    return file_inbound(
        case_id=case.pk,
        subject="Re: Ihre Bestellung",
        channel="email",
        body_text=text,
        now=NOW + after,
    )


def test_did_not_help_reopens_the_case_to_a_person_with_priority(db):
    case = answered_case()
    message = reply(case, "Das hat mir leider nicht geholfen, das Paket ist nicht da.")

    result = services.review_customer_reply(
        case_id=case.pk, message_id=message.pk, now=NOW + timedelta(hours=2)
    )

    case.refresh_from_db()
    decision = case.automation_decisions.get()
    assert result == "not_helped"
    assert decision.outcome == "not_helped"
    assert case.status == "open"
    assert case.priority == "high"
    assert case.escalated_at is not None
    assert "automatik-nicht-geholfen" in case.tags
    escalated = Event.objects.get(kind="case.escalated", case_id=case.pk)
    assert escalated.payload["reason"] == "Automatische Antwort hat nicht geholfen"


def test_english_did_not_help_is_understood(db):
    case = answered_case()
    message = reply(case, "Sorry, this didn't help at all.")

    assert services.review_customer_reply(case_id=case.pk, message_id=message.pk) == "not_helped"


def test_a_thank_you_keeps_the_answer_and_the_case_resolved(db):
    case = answered_case()
    message = reply(case, "Vielen Dank für die schnelle Antwort!\n\nViele Grüße\nClara Schmidt")
    assert Case.objects.get(pk=case.pk).status == "open"  # the reply reopened it

    result = services.review_customer_reply(case_id=case.pk, message_id=message.pk)

    case.refresh_from_db()
    assert result == "thanks only: stays answered"
    assert case.status == "resolved"
    assert case.automation_decisions.get().outcome == "answered"


def test_another_question_within_the_window_counts_as_reopened(db):
    case = answered_case()
    message = reply(case, "Und wann kommt die zweite Lieferung?")

    result = services.review_customer_reply(case_id=case.pk, message_id=message.pk)

    case.refresh_from_db()
    assert result == "reopened"
    assert case.automation_decisions.get().outcome == "reopened"
    assert case.status == "open"
    assert case.priority == "normal"


def test_a_reply_after_the_window_does_not_count_against_the_answer(db):
    case = answered_case()
    message = reply(case, "Hat nicht geholfen.", after=timedelta(days=8))

    result = services.review_customer_reply(case_id=case.pk, message_id=message.pk)

    assert result == "outside the reopen window"
    assert case.automation_decisions.get().outcome == "answered"


def test_reviewing_twice_judges_once(db):
    case = answered_case()
    message = reply(case, "hilft nicht")

    services.review_customer_reply(case_id=case.pk, message_id=message.pk)
    again = services.review_customer_reply(case_id=case.pk, message_id=message.pk)

    assert again == "already not_helped"
    assert Event.objects.filter(kind="case.escalated", case_id=case.pk).count() == 1


def test_a_case_without_automatic_answer_is_left_alone(db):
    set_mode(Mode.LIVE)
    case, _decision = make_decided_case()
    message = reply(case, "hat nicht geholfen")

    assert (
        services.review_customer_reply(case_id=case.pk, message_id=message.pk)
        == "no automatic answer in this case"
    )


def test_the_reaction_reviews_a_reply_from_intake(db):
    case = answered_case()
    message = reply(case, "Das hat nicht geholfen!")
    event = record(
        "intake.processed",
        case_id=case.pk,
        data={"message_id": message.pk, "new_case": False, "automatic": ""},
    )

    assert review_reply_on_processed.call(event.pk) == "not_helped"
    new_case_event = record(
        "intake.processed", case_id=case.pk, data={"message_id": message.pk, "new_case": True}
    )
    assert review_reply_on_processed.call(new_case_event.pk) == (
        "not a customer reply in a running case"
    )


def test_not_helped_phrases():
    for text in (
        "Das hat nicht geholfen",
        "hilft mir nicht weiter",
        "Ihre Antwort war nicht hilfreich",
        "did not help",
        "Not helpful.",
        "leider keine Hilfe",
    ):
        assert services.says_not_helped(text), text
    for text in ("Danke, hat geholfen!", "Wann kommt die Lieferung?", "nicht da"):
        assert not services.says_not_helped(text), text


def test_thanks_only_phrases():
    for text in (
        "Danke!",
        "Vielen Dank",
        "Thanks a lot!",
        "Danke schön :)",
        "Vielen Dank!\nGruß Clara",
    ):
        assert services.is_thanks_only(text), text
    for text in ("Danke, aber wann kommt es?", "Danke. Die Rechnung fehlt noch."):
        assert not services.is_thanks_only(text), text
