"""Failures: retried with backoff, then a dead letter with a one-click retry in the admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kundenversteher.cases.models import Message
from kundenversteher.events.models import Event
from kundenversteher.intake import pipeline
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.tasks import process_inbound
from kundenversteher.lib.tasks import ATTEMPT_KWARG, PermanentTaskError
from kundenversteher.privacy.models import AuditEntry
from tests.api.factories import PASSWORD, make_admin
from tests.intake.factories import make_mail, receive_mail


class _FlakyIdentify:
    """Stands in for the customer lookup while the CRM database is unreachable."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **kwargs: object) -> None:
        self.calls += 1
        raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def failing_identify(monkeypatch: pytest.MonkeyPatch) -> _FlakyIdentify:
    flaky = _FlakyIdentify()
    monkeypatch.setattr(pipeline, "identify", flaky)
    return flaky


def test_a_failing_step_is_retried_then_dead_lettered(db, settings, failing_identify):
    settings.KV_INTAKE_MAX_ATTEMPTS = 2
    inbound_id = receive_mail(make_mail()).inbound_id

    first = process_inbound.call(inbound_id)
    after_first = InboundMessage.objects.get(pk=inbound_id)
    with pytest.raises(PermanentTaskError):
        process_inbound.call(inbound_id, **{ATTEMPT_KWARG: 2})

    inbound = InboundMessage.objects.get(pk=inbound_id)
    assert first["status"] == "retry_scheduled"
    assert DBTaskResult.objects.filter(args_kwargs__args=[inbound_id]).count() == 1
    assert (after_first.state, after_first.attempts) == (InboundState.RECEIVED, 1)
    assert inbound.state == InboundState.FAILED
    assert inbound.attempts == 2
    assert inbound.last_error == "OperationalError: server closed the connection unexpectedly"
    assert failing_identify.calls == 2
    assert list(inbound.steps.filter(name="identify").values_list("attempt", "status")) == [
        (1, "failed"),
        (2, "failed"),
    ]
    assert not Message.objects.exists()
    failed = Event.objects.get(kind="intake.failed")
    assert failed.payload["inbound_id"] == inbound_id


def test_the_admin_retry_button_reprocesses_a_dead_letter(
    db, settings, client, monkeypatch, failing_identify, django_capture_on_commit_callbacks
):
    settings.KV_INTAKE_MAX_ATTEMPTS = 1
    inbound_id = receive_mail(make_mail()).inbound_id
    with pytest.raises(PermanentTaskError):
        process_inbound.call(inbound_id)
    admin = make_admin()
    client.login(username=admin.username, password=PASSWORD)
    change_url = reverse("admin:intake_inboundmessage_change", args=[inbound_id])
    page = client.get(change_url)
    monkeypatch.undo()  # the CRM database is back

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("admin:intake_inboundmessage_retry", args=[inbound_id]))
    retried = InboundMessage.objects.get(pk=inbound_id)
    result = process_inbound.call(inbound_id)

    assert page.status_code == 200
    assert "Erneut verarbeiten" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == change_url
    assert (retried.state, retried.attempts) == (InboundState.RECEIVED, 0)
    assert len(callbacks) == 1
    assert result["state"] == InboundState.DONE
    assert InboundMessage.objects.get(pk=inbound_id).state == InboundState.DONE
    assert Message.objects.count() == 1
    assert Event.objects.filter(kind="intake.retried").count() == 1
    assert AuditEntry.objects.filter(model="intake.inboundmessage", action="change").count() == 1


def test_the_retry_button_refuses_a_message_that_is_not_a_dead_letter(db, client):
    inbound_id = receive_mail(make_mail()).inbound_id
    admin = make_admin()
    client.login(username=admin.username, password=PASSWORD)

    response = client.post(
        reverse("admin:intake_inboundmessage_retry", args=[inbound_id]), follow=True
    )

    assert "Nur fehlgeschlagene Nachrichten" in response.content.decode()
    assert InboundMessage.objects.get(pk=inbound_id).state == InboundState.RECEIVED
    assert not Event.objects.filter(kind="intake.retried").exists()


def test_the_retry_button_needs_a_post(db, client):
    inbound_id = receive_mail(make_mail()).inbound_id
    admin = make_admin()
    client.login(username=admin.username, password=PASSWORD)

    response = client.get(reverse("admin:intake_inboundmessage_retry", args=[inbound_id]))

    assert response.status_code == 405


def test_the_admin_action_retries_selected_dead_letters(db, settings, client, failing_identify):
    settings.KV_INTAKE_MAX_ATTEMPTS = 1
    ids = [receive_mail(make_mail()).inbound_id for _ in range(2)]
    for inbound_id in ids:
        with pytest.raises(PermanentTaskError):
            process_inbound.call(inbound_id)
    admin = make_admin()
    client.login(username=admin.username, password=PASSWORD)

    client.post(
        reverse("admin:intake_inboundmessage_changelist"),
        {"action": "retry_selected", "_selected_action": ids},
    )

    assert set(InboundMessage.objects.values_list("state", flat=True)) == {"received"}


def test_a_missing_original_is_a_dead_letter_at_once(db):
    inbound_id = receive_mail(make_mail()).inbound_id
    inbound = InboundMessage.objects.get(pk=inbound_id)
    (Path(settings.MEDIA_ROOT) / inbound.raw_path).unlink()

    with pytest.raises(PermanentTaskError):
        process_inbound.call(inbound_id)

    inbound.refresh_from_db()
    assert inbound.state == InboundState.FAILED
    assert inbound.attempts == 1
    assert inbound.last_error.startswith("RawFileMissing: Die Originaldatei fehlt")


def test_the_original_can_be_downloaded_and_the_download_is_audited(db, client):
    raw = make_mail()
    inbound_id = receive_mail(raw).inbound_id
    admin = make_admin()
    client.login(username=admin.username, password=PASSWORD)

    response = client.get(reverse("admin:intake_inboundmessage_original", args=[inbound_id]))

    assert response.status_code == 200
    assert response.content == raw
    assert response["Content-Disposition"] == f'attachment; filename="eingang-{inbound_id}.eml"'
    assert AuditEntry.objects.filter(action="export", object_id=str(inbound_id)).count() == 1


def test_a_mail_with_nothing_to_file_is_a_dead_letter_at_once(db):
    inbound_id = receive_mail(make_mail(text="   ")).inbound_id

    with pytest.raises(PermanentTaskError):
        process_inbound.call(inbound_id)

    inbound = InboundMessage.objects.get(pk=inbound_id)
    assert (inbound.state, inbound.attempts) == (InboundState.FAILED, 1)
    assert inbound.last_error == ("NothingToFile: Die Nachricht enthält weder Text noch Anhänge.")
    assert not Message.objects.exists()
    assert Event.objects.get(kind="intake.failed").payload["inbound_id"] == inbound_id
