"""IMAP polling against a real Dovecot on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from kundenversteher.intake.mail import imap, services
from kundenversteher.intake.mail.models import FolderState, Mailbox, ReceivedMail
from kundenversteher.intake.models import InboundMessage
from tests.intake.mail.factories import append_mails, imap_client, make_mail, make_mailbox
from tests.intake.mail.servers import Dovecot

pytestmark = [pytest.mark.server, pytest.mark.django_db]


def _mails(count: int, *, prefix: str = "Bestellung") -> list[bytes]:
    return [
        make_mail(
            subject=f"{prefix} {4700 + i}",
            text=f"Guten Tag, wo bleibt meine Bestellung {4700 + i}?",
            message_id=f"<{prefix.lower()}-{i}@example.de>",
        )
        for i in range(count)
    ]


def _flags(
    port: int, user: str, password: str, folder: str = "INBOX"
) -> dict[int, tuple[bytes, ...]]:
    client = imap_client(port, user, password)
    try:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}
    finally:
        client.logout()


def test_poll_stores_each_new_mail_and_marks_it_seen_afterwards(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, password = imap_account
    append_mails(dovecot.port, user, password, _mails(3))
    mailbox = make_mailbox(imap_port=dovecot.port, imap_username=user, imap_password=password)

    result = imap.poll_mailbox(mailbox_id=mailbox.pk)

    assert (result.fetched, result.new, result.duplicates, result.marked) == (3, 3, 0, 3)
    inbound = InboundMessage.objects.order_by("pk")
    assert [m.message_id for m in inbound] == [f"<bestellung-{i}@example.de>" for i in range(3)]
    assert {m.source for m in inbound} == {"imap:Service/INBOX"}
    assert [m.meta["uid"] for m in inbound] == [1, 2, 3]
    assert all(b"\\Seen" in flags for flags in _flags(dovecot.port, user, password).values())
    state = FolderState.objects.get(mailbox=mailbox, folder="INBOX")
    assert state.last_uid == 3
    assert ReceivedMail.objects.filter(marked_at__isnull=True).count() == 0
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.poll_lease_until is None


def test_second_poll_fetches_only_what_arrived_since(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, password = imap_account
    append_mails(dovecot.port, user, password, _mails(2))
    mailbox = make_mailbox(imap_port=dovecot.port, imap_username=user, imap_password=password)
    imap.poll_mailbox(mailbox_id=mailbox.pk)
    append_mails(dovecot.port, user, password, _mails(1, prefix="Rechnung"))

    result = imap.poll_mailbox(mailbox_id=mailbox.pk)

    assert (result.fetched, result.new) == (1, 1)
    assert InboundMessage.objects.count() == 3
    assert imap.poll_mailbox(mailbox_id=mailbox.pk).fetched == 0


def test_move_mode_moves_fetched_mail_into_the_target_folder(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, password = imap_account
    append_mails(dovecot.port, user, password, _mails(2))
    mailbox = make_mailbox(
        imap_port=dovecot.port,
        imap_username=user,
        imap_password=password,
        after_import=Mailbox.AfterImport.MOVE,
        move_to_folder="Verarbeitet",
    )

    imap.poll_mailbox(mailbox_id=mailbox.pk)

    client = imap_client(dovecot.port, user, password)
    try:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.select_folder("Verarbeitet")[b"EXISTS"] == 2
    finally:
        client.logout()
    assert InboundMessage.objects.count() == 2


def test_same_mail_in_two_mailboxes_is_stored_once(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    first_user, password = imap_account
    second_user = f"zweit-{first_user}"
    mail = _mails(1)
    append_mails(dovecot.port, first_user, password, mail)
    append_mails(dovecot.port, second_user, password, mail)
    service = make_mailbox(imap_port=dovecot.port, imap_username=first_user, imap_password=password)
    sales = make_mailbox(
        name="Vertrieb",
        email_address="vertrieb@brenner-waermetechnik.de",
        imap_port=dovecot.port,
        imap_username=second_user,
        imap_password=password,
    )

    first = imap.poll_mailbox(mailbox_id=service.pk)
    second = imap.poll_mailbox(mailbox_id=sales.pk)

    assert (first.new, second.new, second.duplicates) == (1, 0, 1)
    assert first.inbound_ids == second.inbound_ids
    assert InboundMessage.objects.count() == 1
    # Both servers' copies are marked: neither shows up as unread for a human later.
    assert b"\\Seen" in _flags(dovecot.port, second_user, password)[1]


def test_changed_uidvalidity_refetches_the_folder_without_duplicates(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, password = imap_account
    append_mails(dovecot.port, user, password, _mails(2), folder="Kunden")
    mailbox = make_mailbox(
        imap_port=dovecot.port, imap_username=user, imap_password=password, folders=["Kunden"]
    )
    imap.poll_mailbox(mailbox_id=mailbox.pk)
    old_validity = FolderState.objects.get(mailbox=mailbox).uidvalidity
    # Recreating the folder gives it a new UIDVALIDITY: the old UIDs mean nothing now.
    client = imap_client(dovecot.port, user, password)
    try:
        client.delete_folder("Kunden")
    finally:
        client.logout()
    append_mails(
        dovecot.port, user, password, [*_mails(2), *_mails(1, prefix="Neu")], folder="Kunden"
    )

    result = imap.poll_mailbox(mailbox_id=mailbox.pk)

    state = FolderState.objects.get(mailbox=mailbox)
    assert state.uidvalidity != old_validity
    assert state.full_resyncs == 1
    assert (result.fetched, result.new, result.duplicates) == (3, 1, 2)
    assert InboundMessage.objects.count() == 3


def test_wrong_password_leaves_a_visible_error_and_stores_nothing(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, _password = imap_account
    mailbox = make_mailbox(imap_port=dovecot.port, imap_username=user, imap_password="falsch")

    with pytest.raises(imap.MailboxUnavailableError):
        imap.poll_mailbox(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert "LoginError" in mailbox.last_error
    assert mailbox.poll_lease_until is None
    assert InboundMessage.objects.count() == 0


def test_a_second_poller_backs_off_while_the_lease_is_held(
    dovecot: Dovecot, imap_account: tuple[str, str]
) -> None:
    user, password = imap_account
    mailbox = make_mailbox(imap_port=dovecot.port, imap_username=user, imap_password=password)
    assert services.claim_poll(mailbox_id=mailbox.pk)

    assert imap.poll_mailbox(mailbox_id=mailbox.pk).skipped is True


@pytest.mark.slow
def test_server_killed_during_fetch_loses_and_doubles_nothing(
    dovecot: Dovecot, imap_account: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, password = imap_account
    append_mails(dovecot.port, user, password, _mails(12))
    mailbox = make_mailbox(imap_port=dovecot.port, imap_username=user, imap_password=password)
    real_receive = services.intake_services.receive
    calls = {"n": 0}

    def receive_then_kill_server(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            dovecot.kill()  # the server dies while the first batch is being stored
        return real_receive(**kwargs)

    monkeypatch.setattr(services.intake_services, "receive", receive_then_kill_server)
    with pytest.raises(imap.MailboxUnavailableError):
        imap.poll_mailbox(mailbox_id=mailbox.pk, batch_size=5)
    # The fetched batch was committed; nothing after it was fetched, nothing marked.
    assert InboundMessage.objects.count() == 5
    assert ReceivedMail.objects.filter(marked_at__isnull=True).count() == 5

    dovecot.start()
    result = imap.poll_mailbox(mailbox_id=mailbox.pk, batch_size=5)

    assert (result.new, result.duplicates, result.marked) == (7, 0, 12)
    assert InboundMessage.objects.count() == 12
    assert sorted(ReceivedMail.objects.values_list("uid", flat=True)) == list(range(1, 13))
    flags = _flags(dovecot.port, user, password)
    assert len(flags) == 12
    assert all(b"\\Seen" in f for f in flags.values())
