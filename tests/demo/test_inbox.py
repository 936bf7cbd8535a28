"""The live demo inbox and the demo macros: real mails through intake, understood and filed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundenversteher.cases.macros import render_macro
from kundenversteher.cases.models import Case, Macro, Message
from kundenversteher.customers.models import Customer
from kundenversteher.demo import company, inbox, macros
from kundenversteher.demo.management.commands.kv_demo import Command
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.tasks import process_inbound


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command(Command(), "--size", "tiny", "--no-train", *args, stdout=out)
    return out.getvalue()


def process_all() -> dict[str, int]:
    """Run the pipeline task for every received demo mail, as the worker would."""
    outcomes: dict[str, int] = {}
    for inbound in InboundMessage.objects.filter(source=inbox.SOURCE).order_by("id"):
        result = process_inbound.call(inbound.pk)
        outcomes[inbound.message_id] = result["case_id"]
    return outcomes


def inbox_message(key: str) -> Message:
    inbound = InboundMessage.objects.get(message_id=f"<inbox-{key}@{inbox.MESSAGE_ID_DOMAIN}>")
    assert inbound.case_message_id is not None
    return Message.objects.select_related("case").get(pk=inbound.case_message_id)


def reply_case() -> Case:
    """The open case the demo reply refers to by the case number in its subject."""
    reply = next(
        m for m in inbox.inbox_mails(seed=2026, now=timezone.now()) if m.key == "reply-open-case"
    )
    return Case.objects.get(number=reply.subject.split("[", 1)[1].split("]", 1)[0])


def test_demo_macros_exist_in_german_and_english(db):
    run_demo()
    rows = set(Macro.objects.values_list("name", "language"))
    names = {spec.name for spec in macros.MACROS}
    assert len(names) == 5
    assert rows == {(name, language) for name in names for language in ("de", "en")}
    assert Macro.objects.get(name="Bestellstatus", language="en").set_status == "waiting_customer"


def test_loading_again_receives_no_mail_twice_and_keeps_edited_macros(db):
    output = run_demo()
    received = InboundMessage.objects.filter(source=inbox.SOURCE)
    assert received.count() == 12
    assert "12 neue E-Mails" in output
    assert set(received.values_list("state", flat=True)) == {InboundState.RECEIVED}
    Macro.objects.filter(name="Abschluss", language="de").update(body="Eigener Text")

    output = run_demo()

    assert InboundMessage.objects.count() == 12
    assert "0 neue E-Mails an die Eingangsverarbeitung übergeben (12 bereits" in output
    assert Macro.objects.count() == len(macros.MACROS)
    assert Macro.objects.get(name="Abschluss", language="de").body == "Eigener Text"


def test_processed_demo_inbox_has_understood_identified_cases(db):
    run_demo()
    cases_before = Case.objects.count()
    open_case = reply_case()
    messages_before = open_case.messages.count()

    outcomes = process_all()

    states = set(InboundMessage.objects.filter(source=inbox.SOURCE).values_list("state", flat=True))
    assert states == {InboundState.DONE}
    assert all(case_id is not None for case_id in outcomes.values())
    # Every mail opens a case except the reply, which joins its open case.
    assert Case.objects.count() == cases_before + len(outcomes) - 1
    for key in ("clara-4711", "heizung-kalt", "frist-anwalt", "unknown-sender", "delivery", "lob"):
        assert inbox_message(key).understanding["text"], key
    clara = inbox_message("clara-4711")
    assert clara.identity["method"] == "email"
    assert clara.identity["customer_id"] == Customer.objects.get(user__username="clara").pk
    assert clara.case.customer_id == clara.identity["customer_id"]
    assert clara.understanding["language"]["code"] == "de"
    assert ("order_number", "4711") in {
        (e["kind"], e["value"]) for e in clara.understanding["entities"]
    }
    answer = inbox_message("reply-open-case")
    assert answer.case_id == open_case.pk
    assert open_case.messages.count() == messages_before + 1
    assert answer.identity["customer_id"] == open_case.customer_id


def test_angry_legal_and_unknown_mails_are_understood_as_such(db):
    run_demo()
    process_all()

    angry = inbox_message("heizung-kalt")
    legal = inbox_message("frist-anwalt")
    unknown = inbox_message("unknown-sender")
    english = inbox_message("delivery")
    assert angry.understanding["sentiment"]["label"] == "negative"
    assert angry.case.customer_id is not None
    assert "legal_threat" in {cue["kind"] for cue in legal.understanding["urgency"]["cues"]}
    assert legal.case.priority in ("high", "urgent")
    assert unknown.case.customer_id is None
    assert unknown.identity["customer_id"] is None
    assert unknown.case.language == "en"
    assert english.case.language == "en"
    # The order-status macro fills Clara's order from her understood mail.
    rendered = render_macro(
        macro=Macro.objects.get(name="Bestellstatus", language="de"),
        case=inbox_message("clara-4711").case,
        agent=None,
    )
    assert rendered.missing == ("agent.first_name",)
    assert rendered.unknown == ()
    assert "Ihrer Bestellung 4711. Der aktuelle Stand: versandt." in rendered.text
    assert "Guten Tag Clara Schmidt," in rendered.text


@pytest.mark.slow
def test_reset_wipes_the_inbox_so_a_reload_receives_it_again(db):
    run_demo()
    process_all()
    run_demo("--reset")
    assert InboundMessage.objects.filter(source=inbox.SOURCE).count() == 12
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundState.RECEIVED}
    assert Customer.objects.filter(identities__value=company.CLARA.email).count() == 1


def test_summary_without_inbox_points_to_inbox_form_portal_drop_folder_and_mailboxes(db, settings):
    output = run_demo("--no-inbox")
    assert not InboundMessage.objects.exists()
    assert "http://127.0.0.1:8000/inbox/" in output
    assert "/portal/kontakt/" in output
    assert "/portal/anmelden/" in output
    assert f"als Dateien in {settings.EMAIL_FILE_PATH}" in output
    assert "einwerfen in:" in output
    assert "Admin → E-Mail-Postfächer" in output


@pytest.mark.slow
def test_with_the_trained_demo_model_claras_mail_is_an_order_status_case(db, settings, tmp_path):
    settings.KV_MODEL_DIR = tmp_path / "models"
    out = StringIO()
    call_command(Command(), "--size", "tiny", "--train-samples", "400", "--seed", "5", stdout=out)
    assert "12 neue E-Mails" in out.getvalue()

    process_all()

    clara = inbox_message("clara-4711").case
    assert clara.intent == "order_status"
    assert clara.team is not None
    assert inbox_message("wartung").case.intent == "maintenance_appointment"
