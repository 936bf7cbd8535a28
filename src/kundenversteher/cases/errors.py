"""Domain errors of the cases app. The API maps ``CaseError`` to HTTP 409/403/404 in one place."""

# Names follow the domain (CONVENTIONS: `class CaseClosed(CaseError)`), not an Error suffix.
# ruff: noqa: N818

from __future__ import annotations

from django.utils.translation import gettext as _


class CaseError(Exception):
    """Base class: a case operation was refused for a domain reason."""


class CaseNotFound(CaseError):
    pass


class IllegalTransition(CaseError):
    def __init__(self, from_status: str, to_status: str) -> None:
        self.from_status = from_status
        self.to_status = to_status
        super().__init__(
            _("Statuswechsel von »%(from)s« nach »%(to)s« ist nicht erlaubt.")
            % {"from": from_status, "to": to_status}
        )


class ConcurrentUpdate(CaseError):
    """Someone else changed the case since the caller read it (optimistic concurrency)."""


class NotAllowed(CaseError):
    """The acting user may not see or change this case."""


class AttachmentRejected(CaseError):
    """An attachment is too large or of a blocked (dangerous) type."""


class CaseClosed(CaseError):
    """The case is closed (or merged) and takes no further messages."""
