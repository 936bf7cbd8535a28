"""Domain errors of answer templates."""

from __future__ import annotations


class AnswerError(Exception):
    """Base of this app's errors; messages are German text for staff."""


class InvalidTemplateError(AnswerError):
    def __init__(self, message: str, *, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class AddressNotUnderstoodError(AnswerError):
    """The message holds no single new address to apply."""
