"""Domain errors of the automation app."""

from __future__ import annotations


class AutomationError(Exception):
    """Base of the automation's domain errors."""


class InvalidFeedbackLinkError(AutomationError):
    """A "did not help" link that is forged, expired or points at nothing sent."""
