"""Domain errors of the portal."""

# ruff: noqa: N818

from __future__ import annotations


class PortalError(Exception):
    """Base class: a portal operation was refused for a domain reason."""


class InvalidLoginLink(PortalError):
    """The link is unknown, expired, already used, or its user may no longer log in.

    One error for all four: the page must not tell an attacker which of them applies.
    """


class TooManyRequests(PortalError):
    """The rate limit for login links (per address or per network address) is reached."""
