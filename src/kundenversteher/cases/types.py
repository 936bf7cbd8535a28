"""Frozen types other apps pass to or get from the cases app."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AttachmentUpload:
    """A file arriving with a message. ``declared_content_type`` is kept for logs only."""

    filename: str
    content: bytes
    declared_content_type: str = ""


@dataclass(frozen=True, slots=True)
class CaseRef:
    id: int
    number: str
    status: str
    customer_id: int | None
