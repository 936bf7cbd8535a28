"""The drop folder for letters and faxes: scanners and fax servers write files, we take them in.

A file is taken once it is *stable*: its size and modification time are the same as at the
previous look (a scanner writing over SMB grows the file for seconds), or it appeared by renaming
a ``*.part`` file seen at the previous look (the atomic way to hand over). ``*.part``, hidden and
temporary files are never taken. A taken file is stored by :func:`intake.services.receive` and,
after that commit, moved to ``done/`` (duplicates too); a file that cannot be taken (unreadable,
empty, not a scan, too large) goes to ``failed/`` with a ``<name>.error.txt`` beside it saying
why. Nothing is ever deleted.

The state between looks lives in ``.kv-dropfolder-state.json`` inside the folder, so any worker
process can run the next look; a lock file keeps two looks from overlapping.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from kundenversteher.intake import ocr
from kundenversteher.intake import services as intake_services
from kundenversteher.intake.types import ReceiveResult

logger = logging.getLogger(__name__)

__all__ = ["ReceiveFunction", "drop_folder", "scan_drop_folder", "scan_drop_folder_task"]

DONE_DIR = "done"
FAILED_DIR = "failed"
STATE_FILE = ".kv-dropfolder-state.json"
LOCK_FILE = ".kv-dropfolder.lock"
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")
# A file receive() keeps failing on (database down is retried; a poison file is not forever).
MAX_RECEIVE_ATTEMPTS = 3


class ReceiveFunction(Protocol):
    def __call__(
        self, *, channel: str, raw: bytes, source: str, content_type: str, filename: str
    ) -> ReceiveResult: ...


@dataclass(frozen=True, slots=True)
class _Seen:
    size: int
    mtime_ns: int


class _UnacceptableFileError(Exception):
    """The file itself is the problem: it goes to failed/ with this German reason."""


def drop_folder() -> Path:
    """The configured folder (``KV_INTAKE_DROP_DIR``, default ``DATA_DIR/dropfolder``)."""
    configured = getattr(settings, "KV_INTAKE_DROP_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "dropfolder"


@task(queue_name="periodic")
def scan_drop_folder_task() -> int:
    """Periodic (PeriodicJob ``intake.scan_drop_folder``): take in stable files."""
    return scan_drop_folder(drop_folder())


def scan_drop_folder(
    folder: Path,
    *,
    receive: ReceiveFunction = intake_services.receive,
    max_bytes: int | None = None,
) -> int:
    """One look at ``folder``; returns how many files became new inbound messages.

    Call outside a transaction (each file is its own ``receive`` transaction; the move to
    ``done/`` waits for that commit). Returns 0 at once when another look is still running.
    """
    limit = max_bytes if max_bytes is not None else int(settings.KV_MAX_ATTACHMENT_BYTES)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DONE_DIR).mkdir(exist_ok=True)
    (folder / FAILED_DIR).mkdir(exist_ok=True)
    with _exclusive(folder) as locked:
        if not locked:
            logger.info("drop folder %s: another scan is running", folder)
            return 0
        state = _load_state(folder)
        previous: dict[str, _Seen] = {
            name: _Seen(int(v[0]), int(v[1])) for name, v in state.get("seen", {}).items()
        }
        attempts: dict[str, int] = {k: int(v) for k, v in state.get("attempts", {}).items()}
        current: dict[str, _Seen] = {}
        received = 0
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith((".", "~$")):
                continue
            stat = path.stat()
            seen = _Seen(stat.st_size, stat.st_mtime_ns)
            if path.name.lower().endswith(IN_PROGRESS_SUFFIXES):
                current[path.name] = seen
                continue
            renamed_from_part = any(
                f"{path.name}{suffix}" in previous
                and not (folder / f"{path.name}{suffix}").exists()
                for suffix in IN_PROGRESS_SUFFIXES
            )
            if previous.get(path.name) != seen and not renamed_from_part:
                current[path.name] = seen  # not stable yet: look again next time
                continue
            outcome = _take(path, receive=receive, max_bytes=limit)
            if outcome is None:
                attempts[path.name] = attempts.get(path.name, 0) + 1
                if attempts[path.name] >= MAX_RECEIVE_ATTEMPTS:
                    _fail(path, _("Wiederholt nicht übernommen; siehe Server-Protokoll."))
                    attempts.pop(path.name)
                else:
                    current[path.name] = seen
                continue
            attempts.pop(path.name, None)
            received += outcome
        _save_state(
            folder,
            {
                "seen": {name: [s.size, s.mtime_ns] for name, s in current.items()},
                "attempts": {name: n for name, n in attempts.items() if name in current},
            },
        )
    return received


def _take(path: Path, *, receive: ReceiveFunction, max_bytes: int) -> int | None:
    """1 = stored as new, 0 = duplicate or unacceptable (moved away), None = try again later."""
    try:
        content, content_type = _read_scan(path, max_bytes=max_bytes)
    except _UnacceptableFileError as problem:
        logger.warning("drop folder: %s not taken: %s", path.name, problem)
        _fail(path, str(problem))
        return 0
    try:
        result = receive(
            channel="letter",
            raw=content,
            source="dropfolder",
            content_type=content_type,
            filename=path.name,
        )
    except Exception:
        # Not the file's fault as far as we know (database, disk): it stays for the next look.
        logger.exception("drop folder: receive failed for %s", path.name)
        return None
    move = partial(_move_to_done, path)
    if transaction.get_connection().in_atomic_block:
        # Called inside a caller's transaction: the file stays until the row is really there.
        transaction.on_commit(move)
    else:
        move()  # receive() has committed
    if result.duplicate:
        logger.info("drop folder: %s is a duplicate of inbound %s", path.name, result.inbound_id)
        return 0
    return 1


def _read_scan(path: Path, *, max_bytes: int) -> tuple[bytes, str]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _UnacceptableFileError(
                _("Die Datei ist zu groß (%(mb).1f MB, erlaubt sind %(limit).1f MB).")
                % {"mb": size / 1e6, "limit": max_bytes / 1e6}
            )
        content = path.read_bytes()
    except OSError as exc:
        raise _UnacceptableFileError(
            _("Die Datei konnte nicht gelesen werden: %(error)s") % {"error": exc.strerror or exc}
        ) from exc
    if not content:
        raise _UnacceptableFileError(_("Die Datei ist leer."))
    kind = filetype.guess(content[:8192])
    content_type = kind.mime if kind is not None else ""
    if not ocr.is_document(content_type):
        # Judged by the bytes, not the name: a renamed .docx is not a scan.
        raise _UnacceptableFileError(
            _("Kein Scan (PDF, TIFF, PNG oder JPEG): erkannter Dateityp %(type)s.")
            % {"type": content_type or _("unbekannt")}
        )
    return content, content_type


def _move_to_done(path: Path) -> None:
    try:
        _move(path, path.parent / DONE_DIR)
    except OSError:
        # Stored already: the file stays, the next look finds it a duplicate and moves it then.
        logger.exception("drop folder: could not move %s to %s/", path.name, DONE_DIR)


def _fail(path: Path, reason: str) -> None:
    try:
        target = _move(path, path.parent / FAILED_DIR)
        note = target.with_name(f"{target.name}.error.txt")
        stamp = timezone.localtime().strftime("%d.%m.%Y %H:%M:%S")
        note.write_text(f"{path.name} ({stamp}): {reason}\n", encoding="utf-8")
    except OSError:
        # The file stays where it is and is judged again at a later look; never lost.
        logger.exception("drop folder: could not move %s to %s/", path.name, FAILED_DIR)


def _move(path: Path, directory: Path) -> Path:
    """Move without overwriting: scanners reuse names (scan0001.pdf) every day."""
    target = directory / path.name
    counter = 1
    while target.exists():
        target = directory / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    os.replace(path, target)
    return target


@contextmanager
def _exclusive(folder: Path) -> Iterator[bool]:
    with (folder / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_state(folder: Path) -> dict[str, Any]:
    try:
        loaded = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # first look, or a damaged state: every file just waits one more look
    return loaded if isinstance(loaded, dict) else {}


def _save_state(folder: Path, state: dict[str, Any]) -> None:
    tmp = folder / f"{STATE_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(state), encoding="utf-8")
    tmp.replace(folder / STATE_FILE)
