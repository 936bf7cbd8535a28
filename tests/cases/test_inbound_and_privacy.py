from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage

from kundenversteher.cases import services
from kundenversteher.cases.errors import CaseError
from kundenversteher.cases.models import Case, CaseLink, Message
from kundenversteher.cases.privacy import ERASED, CasesPrivacyProvider
from kundenversteher.cases.types import AttachmentUpload
from kundenversteher.events.models import Event
from tests.cases.factories import make_case

NOW = datetime(2026, 6, 8, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_reply_is_threaded_into_its_open_case(personas):
    case = make_case(customer=personas.clara_customer, now=NOW)

    message = services.file_inbound(
        case_id=case.pk,
        subject="AW: Frage",
        channel="email",
        body_text="Danke, noch eine Frage.",
        raw_ref="inbound:2",
    )

    assert (message.case_id, message.direction, message.raw_ref) == (
        case.pk,
        "inbound",
        "inbound:2",
    )
    assert Case.objects.count() == 1


def test_mail_to_a_closed_case_opens_a_linked_follow_up(personas):
    old = make_case(customer=personas.clara_customer, now=NOW)
    services.change_status(case_id=old.pk, status="resolved", by=None)
    services.change_status(case_id=old.pk, status="closed", by=None)

    message = services.file_inbound(
        case_id=old.pk, subject="Heizung wieder kalt", channel="email", body_text="Schon wieder!"
    )

    new = message.case
    assert new.pk != old.pk
    assert (new.customer, new.subject, new.status) == (
        personas.clara_customer,
        "Heizung wieder kalt",
        "new",
    )
    assert CaseLink.objects.filter(from_case=new, to_case=old, kind="related").exists()
    assert Event.objects.filter(kind="case.follow_up_opened", case_id=old.pk).count() == 1
    assert Case.objects.get(pk=old.pk).status == "closed"


def test_mail_without_a_case_opens_one_and_empty_mail_is_refused(personas):
    message = services.file_inbound(
        case_id=None, subject="Neu", channel="web_form", body_text="Hallo"
    )

    assert (message.case.channel, message.case.team) == ("web_form", personas.service)
    with pytest.raises(CaseError, match="Leere Nachricht"):
        services.file_inbound(case_id=None, subject="Leer", channel="email", body_text="")


def test_privacy_export_lists_cases_messages_and_attachments(personas):
    case = make_case(
        customer=personas.clara_customer, subject="Rechnung", body_text="Bitte Kopie", now=NOW
    )
    services.add_message(
        case_id=case.pk,
        direction="outbound",
        body_text="Anbei",
        by=personas.anna,
        attachments=[AttachmentUpload("RE-2026-001234.pdf", PDF)],
        max_attachment_bytes=1000,
        now=NOW,
    )
    make_case(customer=personas.other_customer, subject="Fremd", now=NOW)

    exported = CasesPrivacyProvider().export(personas.clara_customer.pk)

    assert [c["subject"] for c in exported["cases"]] == ["Rechnung"]
    messages = exported["cases"][0]["messages"]
    assert [(m["direction"], m["text"]) for m in messages] == [
        ("inbound", "Bitte Kopie"),
        ("outbound", "Anbei"),
    ]
    assert messages[1]["attachments"] == [
        {"filename": "RE-2026-001234.pdf", "content_type": "application/pdf", "size": len(PDF)}
    ]


def test_privacy_erasure_removes_texts_and_files_and_is_idempotent(
    personas, django_capture_on_commit_callbacks
):
    case = make_case(
        customer=personas.clara_customer, subject="Rechnung Clara", body_text="IBAN DE…", now=NOW
    )
    message = services.add_message(
        case_id=case.pk,
        direction="inbound",
        body_text="Anbei",
        attachments=[AttachmentUpload("scan.pdf", PDF)],
        max_attachment_bytes=1000,
        now=NOW,
    )
    stored_name = message.attachments.get().file.name
    untouched = make_case(customer=personas.other_customer, subject="Olga", now=NOW)

    with django_capture_on_commit_callbacks(execute=True):
        changed = CasesPrivacyProvider().erase(personas.clara_customer.pk)

    case.refresh_from_db()
    assert changed == 1 + 2 + 1  # subject, two messages, one attachment
    assert case.subject == ERASED
    assert set(Message.objects.filter(case=case).values_list("body_text", "author_label")) == {
        ("", "")
    }
    assert not default_storage.exists(stored_name)
    assert Case.objects.get(pk=untouched.pk).subject == "Olga"
    assert CasesPrivacyProvider().erase(personas.clara_customer.pk) == 0
