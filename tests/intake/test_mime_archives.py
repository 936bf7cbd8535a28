"""intake.archives: zip files are judged by their directory, never unpacked."""

from __future__ import annotations

import io
import zipfile

from kundenversteher.intake import archives

MB = 1024 * 1024


def _zip(entries: dict[str, bytes], *, level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_ordinary_archive_passes_with_its_sizes():
    content = _zip(
        {"protokoll.txt": b"Druck 2,1 bar\n" * 100, "foto.jpg": b"\xff\xd8\xff" + bytes(range(256))}
    )
    report = archives.inspect_zip(content)
    assert (report.entries, report.total_uncompressed, report.bomb_reason) == (2, 1659, "")
    assert (report.executables, report.encrypted, report.readable) == ((), False, True)


def test_a_high_ratio_archive_over_ten_megabytes_is_a_bomb():
    report = archives.inspect_zip(_zip({"nullen.bin": b"\0" * (12 * MB)}, level=9))
    assert report.bomb_reason == "ratio"
    assert report.total_uncompressed == 12 * MB


def test_a_small_highly_compressible_file_is_not_a_bomb():
    assert archives.inspect_zip(_zip({"leer.txt": b"\0" * MB})).bomb_reason == ""


def test_too_many_entries_are_a_bomb(monkeypatch):
    monkeypatch.setattr(archives, "MAX_ENTRIES", 5)
    report = archives.inspect_zip(_zip({f"d{i}.txt": b"x" for i in range(6)}))
    assert report.bomb_reason == "entries"


def test_nested_archives_are_followed_up_to_the_nesting_limit():
    inner = _zip({"a.txt": b"x"})
    two_levels = _zip({"innen.zip": inner})
    assert archives.inspect_zip(two_levels).bomb_reason == ""
    assert archives.inspect_zip(two_levels).nested_depth == 2
    four_levels = _zip({"c.zip": _zip({"b.zip": two_levels})})
    assert archives.inspect_zip(four_levels).bomb_reason == "nesting"


def test_executables_inside_are_listed():
    report = archives.inspect_zip(_zip({"rechnung.pdf": b"%PDF", "rechnung.pdf.exe": b"MZ"}))
    assert report.executables == ("rechnung.pdf.exe",)


def test_a_broken_zip_is_reported_unreadable_not_raised():
    report = archives.inspect_zip(b"PK\x03\x04" + b"\0" * 40)
    assert (report.readable, report.entries, report.bomb_reason) == (False, 0, "")
    assert archives.is_zip(b"PK\x03\x04rest") is True
    assert archives.is_zip(b"%PDF-1.4") is False
