import hashlib
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kundenversteher.cases import services
from kundenversteher.cases.errors import (
    AttachmentRejected,
    CaseClosed,
    CaseError,
    ConcurrentUpdate,
    IllegalTransition,
)
from kundenversteher.cases.models import Attachment, Case, CaseLink, Message
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.events.models import Event
from tests.cases.factories import make_case, make_customer

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 8, 10, 0, tzinfo=BERLIN)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
LIMIT = 1024


def kinds(case: Case) -> list[str]:
    return list(Event.objects.filter(case_id=case.pk).values_list("kind", flat=True))


def test_case_numbers_are_unique_and_sequential_per_berlin_year(db):
    numbers = [make_case(now=NOW).number for _ in range(3)]
    # 23:30 UTC on New Year's Eve is already 2027 in Berlin.
    new_year = make_case(now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC)).number

    assert numbers == ["KV-2026-000001", "KV-2026-000002", "KV-2026-000003"]
    assert new_year == "KV-2027-000001"
    assert make_case(now=NOW).number == "KV-2026-000004"


def test_open_case_stores_the_first_message_and_records_events(db):
    clara = make_customer("Kunde", first_name="Clara")
    case = make_case(
        customer=clara,
        body_text="Bitte Rechnung RE-2026-001234 schicken.",
        raw_ref="inbound:17",
        intent="invoice_copy",
        now=NOW,
    )

    message = case.messages.get()
    assert (message.direction, message.channel, message.raw_ref, message.created_at) == (
        "inbound",
        "email",
        "inbound:17",
        NOW,
    )
    assert kinds(case) == ["case.created", "case.message_added"]
    assert set(Event.objects.filter(case_id=case.pk).values_list("customer_id", flat=True)) == {
        clara.pk
    }


def test_stored_html_is_sanitised(db):
    case = make_case(
        body_html='<p>Hallo</p><script>alert(1)</script><img src="x" onerror="alert(1)">'
        '<a href="javascript:alert(1)">klick</a><a href="https://brenner.example/">ok</a>',
        now=NOW,
    )

    html = case.messages.get().body_html
    assert html == (
        '<p>Hallo</p><img src="x"><a rel="noopener noreferrer nofollow">klick</a>'
        '<a href="https://brenner.example/" rel="noopener noreferrer nofollow">ok</a>'
    )


def test_attachments_are_stored_with_sniffed_type_safe_name_and_hash(db):
    case = make_case(now=NOW)

    message = services.add_message(
        case_id=case.pk,
        direction="inbound",
        body_text="Anbei",
        attachments=[AttachmentUpload("../../etc/Rechnung März.pdf", PDF, "text/plain")],
        max_attachment_bytes=LIMIT,
        now=NOW,
    )

    attachment = message.attachments.get()
    assert (attachment.original_filename, attachment.content_type, attachment.size) == (
        "Rechnung März.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert "März" not in attachment.file.name
    assert ".." not in attachment.file.name


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("rechnung.pdf", b"MZ\x90\x00" + b"\x00" * 64, "ausführbare oder aktive Inhalte"),
        ("brief.txt", b"<html><body><script>x()</script></body></html>", "aktive Inhalte"),
        ("bild.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "gesperrten Dateityp (.svg)"),
        ("setup.pdf.exe", PDF, "gesperrten Dateityp (.exe)"),
        ("gross.pdf", PDF + b"0" * LIMIT, "zu groß"),
    ],
)
def test_dangerous_or_oversized_attachments_refuse_the_whole_message(
    db, filename, content, message
):
    case = make_case(now=NOW)
    before = Message.objects.count()

    with pytest.raises(AttachmentRejected, match=re.escape(message)):
        services.add_message(
            case_id=case.pk,
            direction="inbound",
            body_text="Anbei",
            attachments=[AttachmentUpload("ok.pdf", PDF), AttachmentUpload(filename, content)],
            max_attachment_bytes=LIMIT,
            now=NOW,
        )

    assert Message.objects.count() == before
    assert Attachment.objects.count() == 0


def test_a_forwarded_mail_with_an_html_part_is_accepted(db):
    case = make_case(now=NOW)
    eml = (
        b"From: Clara <clara@example.org>\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html\r\n\r\n<html><body><p>Hallo</p></body></html>\r\n"
    )

    message = services.add_message(
        case_id=case.pk,
        direction="inbound",
        body_text="Weitergeleitet",
        attachments=[AttachmentUpload("weiter.eml", eml)],
        max_attachment_bytes=LIMIT,
        now=NOW,
    )

    assert message.attachments.get().content_type == "message/rfc822"


def test_attachments_need_an_explicit_size_limit(db):
    case = make_case(now=NOW)
    with pytest.raises(ValueError, match="max_attachment_bytes"):
        services.add_message(
            case_id=case.pk,
            direction="inbound",
            body_text="x",
            attachments=[AttachmentUpload("a.pdf", PDF)],
        )


def test_first_agent_reply_opens_a_new_case_and_is_recorded_once(personas):
    case = make_case(now=NOW)

    services.add_message(
        case_id=case.pk, direction="outbound", body_text="Hallo", by=personas.anna, now=NOW
    )
    services.add_message(
        case_id=case.pk, direction="outbound", body_text="Nachtrag", by=personas.anna, now=NOW
    )

    case.refresh_from_db()
    assert (case.status, case.first_responded_at) == ("open", NOW)
    assert kinds(case).count("case.first_response") == 1


def test_a_customer_reply_reopens_a_resolved_case(personas):
    case = make_case(now=NOW)
    services.change_status(case_id=case.pk, status="resolved", by=personas.anna, now=NOW)

    services.add_message(case_id=case.pk, direction="inbound", body_text="Geht doch nicht.")

    case.refresh_from_db()
    assert (case.status, case.resolved_at) == ("open", None)
    assert kinds(case)[-2:] == ["case.message_added", "case.reopened"]


def test_a_closed_case_takes_no_messages(personas):
    case = make_case(now=NOW)
    services.change_status(case_id=case.pk, status="resolved", by=personas.anna)
    services.change_status(case_id=case.pk, status="closed", by=personas.anna)

    with pytest.raises(CaseClosed):
        services.add_message(case_id=case.pk, direction="inbound", body_text="Hallo?")
    with pytest.raises(CaseClosed):
        services.add_note(case_id=case.pk, body_text="Nachtrag", by=personas.anna)
    with pytest.raises(CaseClosed):
        services.set_priority(case_id=case.pk, priority="high", by=personas.anna)
    with pytest.raises(CaseClosed):
        services.tag_case(case_id=case.pk, add=["x"], by=personas.anna)
    with pytest.raises(IllegalTransition):
        services.change_status(case_id=case.pk, status="open", by=personas.anna)


def test_notes_link_mentioned_staff_only(personas):
    case = make_case(now=NOW)

    note = services.add_note(
        case_id=case.pk,
        body_text="@sabine bitte prüfen, cc @ben und @clara, mail@anna.de",
        by=personas.anna,
    )

    assert set(note.mentions.all()) == {personas.sabine, personas.ben}
    assert note.direction == "note"
    event = Event.objects.get(kind="case.note_added", case_id=case.pk)
    assert sorted(event.payload["mentioned_user_ids"]) == sorted(
        [personas.sabine.pk, personas.ben.pk]
    )


def test_two_agents_taking_the_same_case_one_wins(personas):
    case = make_case(now=NOW)
    seen_version = case.version

    services.assign_case(
        case_id=case.pk, agent_id=personas.anna.pk, by=personas.anna, expected_version=seen_version
    )
    with pytest.raises(ConcurrentUpdate) as lost:
        services.assign_case(
            case_id=case.pk,
            agent_id=personas.sabine.pk,
            by=personas.sabine,
            expected_version=seen_version,
        )

    assert str(lost.value) == f"Anliegen {case.number} wurde bereits von Anna übernommen."
    case.refresh_from_db()
    assert (case.assignee, case.version) == (personas.anna, seen_version + 1)
    assert kinds(case).count("case.assigned") == 1


def test_merge_moves_all_messages_and_closes_the_source(personas):
    clara = personas.clara_customer
    target = make_case(customer=clara, body_text="Erste Mail", now=NOW, tags=["heizung"])
    source = make_case(customer=clara, body_text="Zweite Mail", now=NOW, tags=["eilig"])
    services.add_message(case_id=source.pk, direction="outbound", body_text="Antwort", now=NOW)
    other = make_case(now=NOW)
    CaseLink.objects.create(from_case=source, to_case=other, kind="related")

    merged = services.merge_cases(source_id=source.pk, target_id=target.pk, by=personas.anna)

    source.refresh_from_db()
    assert sorted(merged.messages.values_list("body_text", flat=True)) == [
        "Antwort",
        "Erste Mail",
        "Zweite Mail",
    ]
    assert (source.status, source.merged_into, source.messages.count()) == ("closed", target, 0)
    assert source.resolved_at is not None
    assert merged.tags == ["heizung", "eilig"]
    assert set(CaseLink.objects.values_list("from_case", "to_case", "kind")) == {
        (source.pk, other.pk, "related"),
        (source.pk, target.pk, "duplicate"),
    }
    # No "case.closed" for a merged duplicate: surveys on closed cases must not fire for it.
    assert kinds(source)[-1] == "case.merged"
    assert "case.closed" not in kinds(source)
    assert Event.objects.get(kind="case.merged", case_id=source.pk).payload["to"] == "closed"
    assert kinds(target)[-1] == "case.merge_received"
    # Later mail to the merged-away case lands in the target.
    late = services.add_message(case_id=source.pk, direction="inbound", body_text="Noch was")
    assert late.case_id == target.pk


def test_cases_of_different_customers_are_not_merged(personas):
    a = make_case(customer=personas.clara_customer, now=NOW)
    b = make_case(customer=personas.other_customer, now=NOW)

    with pytest.raises(CaseError, match="verschiedener Kunden"):
        services.merge_cases(source_id=a.pk, target_id=b.pk, by=personas.admin)
    assert Case.objects.get(pk=a.pk).status == "new"


def test_split_moves_selected_messages_into_a_linked_new_case(personas):
    case = make_case(body_text="Rechnung fehlt", customer=personas.clara_customer, now=NOW)
    second = services.add_message(
        case_id=case.pk, direction="inbound", body_text="Außerdem: Wärmepumpe piept", now=NOW
    )

    new = services.split_case(
        case_id=case.pk,
        message_ids=[second.pk],
        subject="Wärmepumpe piept",
        by=personas.anna,
        now=NOW,
    )

    assert list(new.messages.values_list("body_text", flat=True)) == ["Außerdem: Wärmepumpe piept"]
    assert list(case.messages.values_list("body_text", flat=True)) == ["Rechnung fehlt"]
    assert (new.customer, new.number, new.status) == (
        personas.clara_customer,
        "KV-2026-000002",
        "open",
    )
    assert CaseLink.objects.filter(from_case=new, to_case=case, kind="parent").exists()
    assert kinds(case)[-1] == "case.split"
    assert (
        Event.objects.get(kind="case.created", case_id=new.pk).payload["split_from_case_id"]
        == case.pk
    )
    with pytest.raises(CaseError, match="Mindestens eine Nachricht"):
        services.split_case(
            case_id=case.pk,
            message_ids=list(case.messages.values_list("pk", flat=True)),
            subject="x",
            by=personas.anna,
        )


def test_escalate_raises_priority_and_hands_over_to_another_team(personas):
    case = make_case(now=NOW, route=True)
    assert case.assignee == personas.anna

    escalated = services.escalate_case(
        case_id=case.pk,
        reason="Kunde droht mit Anwalt",
        by=personas.sabine,
        team_id=personas.buchhaltung.pk,
        now=NOW,
    )

    assert (escalated.priority, escalated.team, escalated.assignee, escalated.escalated_at) == (
        "high",
        personas.buchhaltung,
        None,
        NOW,
    )
    assert Event.objects.get(kind="case.escalated", case_id=case.pk).payload["reason"] == (
        "Kunde droht mit Anwalt"
    )


def test_priority_and_tags_record_events_only_on_change(personas):
    case = make_case(now=NOW)

    services.set_priority(case_id=case.pk, priority="urgent", by=personas.anna)
    services.set_priority(case_id=case.pk, priority="urgent", by=personas.anna)
    services.tag_case(case_id=case.pk, add=["heizung", "heizung "], by=personas.anna)
    tagged = services.tag_case(
        case_id=case.pk, add=["garantie"], remove=["heizung"], by=personas.anna
    )

    assert tagged.tags == ["garantie"]
    assert kinds(case).count("case.priority_changed") == 1
    assert kinds(case).count("case.tagged") == 2
