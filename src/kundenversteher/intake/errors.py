"""Domain errors of intake."""

# Names follow the domain (as in cases/errors.py), not an Error suffix.
# ruff: noqa: N818

from __future__ import annotations


class IntakeError(Exception):
    """Base of all intake errors."""


class InboundNotFound(IntakeError):
    pass


class NotRetryable(IntakeError):
    """Only dead letters (state failed) can be sent through the pipeline again."""


class NothingToFile(IntakeError):
    """The message carries no text and no attachment: retrying cannot help."""


class RawFileMissing(IntakeError):
    """The stored original is gone from disk (erased, or the data directory was lost)."""
