"""Frozen types other apps get from or pass to intake."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """``duplicate``: the same delivery was stored before; ``inbound_id`` is that row."""

    inbound_id: int
    duplicate: bool


@dataclass(frozen=True, slots=True)
class Original:
    """The bytes a customer message arrived as (an e-mail, a scanned letter), for display."""

    content: bytes
    content_type: str
    filename: str
    channel: str
    ocr_confidence: float | None


@dataclass(frozen=True, slots=True)
class ProcessOutcome:
    """What ``pipeline.process`` did with one inbound message."""

    state: str  # InboundState value after the run
    case_id: int | None = None
    message_id: int | None = None
    new_case: bool = False
