import pytest

from kundenversteher.cases import services
from kundenversteher.cases.errors import CaseError, CaseNotFound
from kundenversteher.cases.models import UnderstandingCorrection
from kundenversteher.events.models import Event
from tests.cases.factories import make_case, make_personas

pytestmark = pytest.mark.django_db


def test_intent_correction_changes_the_case_and_keeps_the_text_as_training_data() -> None:
    people = make_personas()
    case = make_case(
        body_text="Wo bleibt meine Lieferung?", intent="invoice_copy", intent_confidence=0.4
    )
    services.assign_case(
        case_id=case.pk, agent_id=people.anna.pk, by=people.anna, expected_version=case.version
    )

    correction = services.correct_understanding(
        case_id=case.pk, field="intent", value="order_status", by=people.anna
    )

    case.refresh_from_db()
    assert (case.intent, case.intent_confidence) == ("order_status", 1.0)
    assert (correction.old_value, correction.new_value) == ("invoice_copy", "order_status")
    assert correction.text == "Wo bleibt meine Lieferung?"
    assert Event.objects.filter(kind="case.understanding_corrected", case_id=case.pk).count() == 1


def test_correction_of_an_unknown_field_or_foreign_message_is_refused() -> None:
    people = make_personas()
    case = make_case()
    other = make_case()
    with pytest.raises(CaseError):
        services.correct_understanding(case_id=case.pk, field="colour", value="x", by=people.admin)
    with pytest.raises(CaseNotFound):
        services.correct_understanding(
            case_id=case.pk,
            field="intent",
            value="order_status",
            by=people.admin,
            message_id=other.messages.get().pk,
        )
    assert UnderstandingCorrection.objects.count() == 0


def test_inbound_message_keeps_understanding_and_identity_snapshots() -> None:
    message = services.file_inbound(
        case_id=None,
        subject="Bestellung",
        channel="email",
        body_text="Wo ist 4711?",
        understanding={"intent": {"intent": "order_status"}},
        identity={"method": "email", "reason": "Absenderadresse"},
    )
    message.refresh_from_db()
    assert message.understanding["intent"]["intent"] == "order_status"
    assert message.identity["method"] == "email"
