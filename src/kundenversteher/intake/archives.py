"""Archive inspection without extraction: zip bombs and executables inside zip files.

Only the central directory is read (the sizes the archive declares). Nested archives are opened
only while small and at most :data:`MAX_NESTING` levels deep, each read capped, so a 10 KB file
that would expand to gigabytes costs a few kilobytes of work. Nothing is written to disk and
nothing is extracted for storage: an archive either passes unchanged or is refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_TOTAL_UNCOMPRESSED = 500 * 1024 * 1024  # more than a customer ever sends on purpose
MAX_RATIO = 200  # documents compress 2–10×; zeros and bombs ~1000×
MAX_ENTRIES = 10_000
MAX_NESTING = 3
_NESTED_READ_LIMIT = 4 * 1024 * 1024  # bytes read from one nested archive entry
_EXECUTABLE_EXTENSIONS = frozenset(
    {"exe", "com", "bat", "cmd", "scr", "pif", "msi", "dll", "js", "jse", "vbs", "vbe", "wsf",
     "ps1", "hta", "jar", "lnk", "reg", "sh"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ArchiveReport:
    """What an archive declares. ``bomb`` reasons mean: refuse the file."""

    entries: int
    total_uncompressed: int
    compressed: int
    nested_depth: int
    bomb_reason: str  # "" when harmless
    executables: tuple[str, ...]
    encrypted: bool
    readable: bool


def is_zip(content: bytes) -> bool:
    return content[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def inspect_zip(content: bytes) -> ArchiveReport:
    """Sizes and risks of a zip file from its directory; never extracts anything to disk."""
    totals = _Totals()
    readable = _walk(content, depth=1, totals=totals)
    reason = totals.reason
    if not reason and totals.uncompressed > MAX_TOTAL_UNCOMPRESSED:
        reason = "total"
    if (
        not reason
        and totals.uncompressed > 10 * 1024 * 1024
        and totals.uncompressed > MAX_RATIO * max(len(content), 1)
    ):
        reason = "ratio"
    return ArchiveReport(
        entries=totals.entries,
        total_uncompressed=totals.uncompressed,
        compressed=len(content),
        nested_depth=totals.depth,
        bomb_reason=reason,
        executables=tuple(totals.executables),
        encrypted=totals.encrypted,
        readable=readable,
    )


class _Totals:
    def __init__(self) -> None:
        self.entries = 0
        self.uncompressed = 0
        self.depth = 0
        self.reason = ""
        self.executables: list[str] = []
        self.encrypted = False


def _walk(content: bytes, *, depth: int, totals: _Totals) -> bool:
    totals.depth = max(totals.depth, depth)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return False
    with archive:
        totals.entries += len(infos)
        if totals.entries > MAX_ENTRIES:
            totals.reason = totals.reason or "entries"
            return True
        for info in infos:
            totals.uncompressed += info.file_size
            if info.flag_bits & 0x1:
                totals.encrypted = True
            extension = info.filename.rpartition(".")[2].casefold()
            if extension in _EXECUTABLE_EXTENSIONS:
                totals.executables.append(info.filename)
            if totals.uncompressed > MAX_TOTAL_UNCOMPRESSED:
                totals.reason = totals.reason or "total"
                return True
            nested = extension in ("zip", "jar") or info.filename.casefold().endswith(".zip")
            if not nested or info.flag_bits & 0x1:
                continue
            if depth >= MAX_NESTING:
                # An archive inside an archive inside an archive inside an archive: 42.zip style.
                totals.reason = totals.reason or "nesting"
                return True
            if info.file_size > _NESTED_READ_LIMIT:
                continue  # counted by its declared size already; too big to look inside cheaply
            try:
                with archive.open(info) as handle:
                    inner = handle.read(_NESTED_READ_LIMIT + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError,
                    EOFError):  # fmt: skip
                continue
            # The declared size counted above is the inner zip's own size; its contents add up.
            _walk(inner[:_NESTED_READ_LIMIT], depth=depth + 1, totals=totals)
            if totals.reason:
                return True
    return True
