"""The drop folder: stable files are received once, moved to done/ or failed/, never deleted."""

from __future__ import annotations

import fcntl
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from PIL import Image

from kundenversteher.cases.models import Channel, Message
from kundenversteher.intake.letters import LOCK_FILE, scan_drop_folder
from kundenversteher.intake.models import InboundMessage
from kundenversteher.intake.tasks import process_inbound
from kundenversteher.intake.types import ReceiveResult
from tests.intake.letters.generate import make_sample, to_image_pdf


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    # Beside, not above, the media folder some fixtures put into tmp_path.
    folder = tmp_path / "dropfolder"
    folder.mkdir()
    return folder


PNG = make_sample("clean", seed=0).content  # a real scan's bytes; nothing OCRs them here


@dataclass
class FakeReceive:
    """Records calls like intake.services.receive; the given names are reported duplicates."""

    duplicates: set[str] = field(default_factory=set)
    fail: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self, *, channel: str, raw: bytes, source: str, content_type: str, filename: str
    ) -> ReceiveResult:
        if self.fail:
            raise ConnectionError("database unavailable")
        self.calls.append(
            {
                "channel": channel,
                "raw": raw,
                "source": source,
                "content_type": content_type,
                "filename": filename,
            }
        )
        return ReceiveResult(inbound_id=len(self.calls), duplicate=filename in self.duplicates)


def _listing(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


def test_a_file_is_taken_at_the_second_look_when_its_size_stayed_the_same(drop: Path) -> None:
    receive = FakeReceive()
    (drop / "brief.png").write_bytes(PNG)

    first = scan_drop_folder(drop, receive=receive)
    second = scan_drop_folder(drop, receive=receive)

    assert (first, second) == (0, 1)
    assert receive.calls == [
        {
            "channel": "letter",
            "raw": PNG,
            "source": "dropfolder",
            "content_type": "image/png",
            "filename": "brief.png",
        }
    ]
    assert _listing(drop) == ["done/brief.png"]


def test_a_file_still_growing_waits_until_it_stops(drop: Path) -> None:
    receive = FakeReceive()
    path = drop / "fax.png"
    path.write_bytes(PNG[:1000])
    scan_drop_folder(drop, receive=receive)
    path.write_bytes(PNG)  # the scanner wrote more since the last look

    assert scan_drop_folder(drop, receive=receive) == 0
    assert scan_drop_folder(drop, receive=receive) == 1
    assert receive.calls[0]["raw"] == PNG


def test_a_part_file_is_never_taken_but_its_rename_is_taken_at_once(drop: Path) -> None:
    receive = FakeReceive()
    part = drop / "scan0001.pdf.part"
    part.write_bytes(to_image_pdf([Image.new("L", (200, 280), 255)]))

    assert scan_drop_folder(drop, receive=receive) == 0
    assert scan_drop_folder(drop, receive=receive) == 0
    part.rename(drop / "scan0001.pdf")

    assert scan_drop_folder(drop, receive=receive) == 1
    assert receive.calls[0]["content_type"] == "application/pdf"
    assert _listing(drop) == ["done/scan0001.pdf"]


def test_a_file_that_is_no_scan_goes_to_failed_with_the_reason_beside_it(drop: Path) -> None:
    receive = FakeReceive()
    (drop / "brief.pdf").write_bytes(b"Sehr geehrte Damen und Herren, ...")  # text, not PDF

    scan_drop_folder(drop, receive=receive)
    scan_drop_folder(drop, receive=receive)

    assert receive.calls == []
    assert _listing(drop) == ["failed/brief.pdf", "failed/brief.pdf.error.txt"]
    note = (drop / "failed" / "brief.pdf.error.txt").read_text(encoding="utf-8")
    assert note.startswith("brief.pdf (")
    assert note.endswith("): Kein Scan (PDF, TIFF, PNG oder JPEG): erkannter Dateityp unbekannt.\n")


def test_empty_and_oversized_files_go_to_failed(drop: Path) -> None:
    receive = FakeReceive()
    (drop / "leer.tif").write_bytes(b"")
    (drop / "gross.png").write_bytes(PNG)

    for _ in range(2):
        scan_drop_folder(drop, receive=receive, max_bytes=len(PNG) - 1)

    assert receive.calls == []
    failed = drop / "failed"
    assert (
        (failed / "leer.tif.error.txt")
        .read_text(encoding="utf-8")
        .endswith("Die Datei ist leer.\n")
    )
    assert "Die Datei ist zu groß (" in (failed / "gross.png.error.txt").read_text(encoding="utf-8")


def test_a_duplicate_is_moved_to_done_but_not_counted(drop: Path) -> None:
    receive = FakeReceive(duplicates={"nochmal.png"})
    (drop / "nochmal.png").write_bytes(PNG)

    scan_drop_folder(drop, receive=receive)

    assert scan_drop_folder(drop, receive=receive) == 0
    assert len(receive.calls) == 1
    assert _listing(drop) == ["done/nochmal.png"]


def test_a_reused_scanner_file_name_never_overwrites_an_earlier_one(drop: Path) -> None:
    receive = FakeReceive()
    (drop / "done").mkdir()
    (drop / "done" / "scan.png").write_bytes(b"yesterday")
    (drop / "scan.png").write_bytes(PNG)

    scan_drop_folder(drop, receive=receive)
    scan_drop_folder(drop, receive=receive)

    assert _listing(drop) == ["done/scan.1.png", "done/scan.png"]
    assert (drop / "done" / "scan.png").read_bytes() == b"yesterday"
    assert (drop / "done" / "scan.1.png").read_bytes() == PNG


def test_when_receive_fails_the_file_stays_and_goes_to_failed_after_three_tries(
    drop: Path,
) -> None:
    receive = FakeReceive(fail=True)
    (drop / "brief.png").write_bytes(PNG)
    scan_drop_folder(drop, receive=receive)  # first look: not stable yet

    scan_drop_folder(drop, receive=receive)
    scan_drop_folder(drop, receive=receive)
    assert _listing(drop) == ["brief.png"]

    scan_drop_folder(drop, receive=receive)
    assert _listing(drop) == ["failed/brief.png", "failed/brief.png.error.txt"]


def test_hidden_and_temporary_files_and_folders_are_left_alone(drop: Path) -> None:
    receive = FakeReceive()
    (drop / ".DS_Store").write_bytes(PNG)
    (drop / "~$brief.png").write_bytes(PNG)
    (drop / "upload.tmp").write_bytes(PNG)
    (drop / "archiv").mkdir()
    (drop / "archiv" / "alt.png").write_bytes(PNG)

    for _ in range(3):
        scan_drop_folder(drop, receive=receive)

    assert receive.calls == []
    assert _listing(drop) == ["archiv/alt.png", "upload.tmp", "~$brief.png"]


def test_a_second_scan_while_one_runs_does_nothing(drop: Path) -> None:
    receive = FakeReceive()
    (drop / "brief.png").write_bytes(PNG)
    scan_drop_folder(drop, receive=receive)

    with (drop / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert scan_drop_folder(drop, receive=receive) == 0
        fcntl.flock(handle, fcntl.LOCK_UN)

    assert receive.calls == []
    assert scan_drop_folder(drop, receive=receive) == 1


def test_the_file_stays_until_the_receiving_transaction_commits(
    db: None, drop: Path, django_capture_on_commit_callbacks: Any
) -> None:
    (drop / "brief.png").write_bytes(PNG)
    scan_drop_folder(drop)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert scan_drop_folder(drop) == 1
        assert _listing(drop) == ["brief.png"]  # the test's transaction is still open

    for callback in callbacks:  # what the commit would run: the move and the enqueue
        callback()
    assert _listing(drop) == ["done/brief.png"]
    inbound = InboundMessage.objects.get()
    assert (inbound.channel, inbound.source, inbound.filename, inbound.content_type) == (
        "letter",
        "dropfolder",
        "brief.png",
        "image/png",
    )


def test_the_same_scan_dropped_twice_is_one_inbound_message(
    db: None, drop: Path, django_capture_on_commit_callbacks: Any
) -> None:
    (drop / "a.png").write_bytes(PNG)
    (drop / "b.png").write_bytes(PNG)
    scan_drop_folder(drop)

    with django_capture_on_commit_callbacks(execute=True):
        taken = scan_drop_folder(drop)

    assert taken == 1
    assert InboundMessage.objects.count() == 1
    assert _listing(drop) == ["done/a.png", "done/b.png"]


@pytest.mark.slow
def test_a_scanned_letter_dropped_into_the_folder_becomes_a_case_with_readable_text(
    db: None, drop: Path, django_capture_on_commit_callbacks: Any
) -> None:
    sample = make_sample("fax", seed=0)
    (drop / "fax-0001.tif").write_bytes(sample.content)
    scan_drop_folder(drop)
    with django_capture_on_commit_callbacks(execute=True):
        assert scan_drop_folder(drop) == 1
    inbound = InboundMessage.objects.get()

    outcome = process_inbound.call(inbound.pk)

    message = Message.objects.get(pk=outcome["message_id"])
    assert outcome["new_case"] is True
    assert message.case.channel == Channel.LETTER
    assert "Kundennummer KD-104711" in message.body_text
    assert "Bestellung 4711" in message.body_text
    assert "Sehr geehrte Damen und Herren," in message.body_text
    assert os.listdir(drop / "done") == ["fax-0001.tif"]


def test_the_command_takes_a_dropped_scan_in_one_run(
    db: None, drop: Path, django_capture_on_commit_callbacks: Any
) -> None:
    (drop / "brief.png").write_bytes(PNG)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("kv_scan_dropfolder", folder=drop, stdout=out)

    assert out.getvalue() == f"{drop}: 1 neue Datei(en) übernommen.\n"
    assert InboundMessage.objects.get().filename == "brief.png"
    assert _listing(drop) == ["done/brief.png"]
