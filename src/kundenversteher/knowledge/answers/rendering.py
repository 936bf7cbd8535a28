"""Strict ``{{ group.name }}`` substitution and per-language formatting of dates and money.

Admins write templates, so templates are semi-trusted: there is no attribute access into
objects, no filters, no tags. A template sees only the flat mapping of slot names to strings
that the slot resolvers built. Any placeholder that is unknown or has no value makes the
rendering fail with the slot's name; any other ``{{``/``}}``/``{%`` is a template error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
# Whatever looks like template syntax but is not a well-formed placeholder.
STRAY_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}")

LOCALES = {"de": "de_DE", "en": "en_GB"}


def format_day(day: date, language: str) -> str:
    """ "23. November 2026" (de) / "23 November 2026" (en)."""
    return str(babel_format_date(day, format="long", locale=LOCALES[language]))


def format_money(amount: Decimal, language: str) -> str:
    """ "8.990,00 €" (de) / "€8,990.00" (en)."""
    return str(format_currency(amount, "EUR", locale=LOCALES[language]))


def placeholders(text: str) -> list[str]:
    """Slot names used in ``text``, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def syntax_errors(text: str) -> list[str]:
    """Pieces of template syntax that are not a valid placeholder (e.g. ``{{ order }}``)."""
    return STRAY_SYNTAX.findall(PLACEHOLDER.sub("", text))


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # placeholders without a value (text is then not usable)
    errors: tuple[str, ...]  # malformed template syntax


def render(text: str, values: Mapping[str, str | None]) -> Rendered:
    missing = tuple(
        name for name in placeholders(text) if name not in values or values[name] in (None, "")
    )
    errors = tuple(syntax_errors(text))
    if missing or errors:
        return Rendered(text="", missing=missing, errors=errors)
    return Rendered(
        text=PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text),
        missing=(),
        errors=(),
    )
