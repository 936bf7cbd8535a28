"""Reply macros (Textbausteine): fill ``{{ variables }}`` of a ``Macro`` body for one case.

Substitution is a whitelist on purpose, not Django's template engine: a macro body is written by
staff in the admin, and a template language would let it read any attribute reachable from the
context (``{{ case.customer.user.password }}``) or run filters and tags. Here only the names in
``VARIABLES`` are replaced, in one pass (a value that itself contains ``{{ … }}`` stays as it is).
A name outside the whitelist, or a whitelisted one without a value for this case, is left visible
in the text and reported, so the agent sees what is still to fill in before sending.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils import formats, translation

from kundenversteher.cases.models import Case, Macro, Message
from kundenversteher.customers.queries import find_order

VARIABLES: tuple[str, ...] = (
    "customer.first_name",
    "customer.name",
    "case.number",
    "case.subject",
    "agent.first_name",
    "order.number",
    "order.status",
    "order.delivery_date",
)

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]*)\s*\}\}")
_ORDER_ENTITY = "order_number"


@dataclass(frozen=True, slots=True)
class RenderedMacro:
    text: str
    unknown: tuple[str, ...]  # names outside the whitelist (typos, unsupported), left as written
    missing: tuple[str, ...]  # whitelisted names without a value for this case, left as written


def fill_placeholders(body: str, values: Mapping[str, str]) -> RenderedMacro:
    """Replace every ``{{ name }}`` whose name is whitelisted and has a non-empty value."""
    unknown: list[str] = []
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            unknown.append(name or match.group(0))
            return match.group(0)
        value = values.get(name, "")
        if not value:
            missing.append(name)
            return match.group(0)
        return value

    text = _PLACEHOLDER.sub(replace, body)
    return RenderedMacro(
        text=text, unknown=tuple(dict.fromkeys(unknown)), missing=tuple(dict.fromkeys(missing))
    )


def _format_date(day: date, language: str) -> str:
    with translation.override(language):
        # German letters write 24.11.2026; English ones "24 November 2026" (no m/d ambiguity).
        return day.strftime("%d.%m.%Y") if language == "de" else formats.date_format(day, "j F Y")


def first_order_number(case: Case) -> str:
    """The first order number the platform recognised in the case's customer messages."""
    rows = Message.objects.filter(case=case, direction=Message.Direction.INBOUND).order_by(
        "created_at", "id"
    )
    for understanding in rows.values_list("understanding", flat=True):
        entities = understanding.get("entities", []) if isinstance(understanding, dict) else []
        for entity in entities if isinstance(entities, list) else []:
            if isinstance(entity, dict) and entity.get("kind") == _ORDER_ENTITY:
                value = str(entity.get("value") or entity.get("text") or "").strip()
                if value:
                    return value
    return ""


def macro_values(
    *, case: Case, agent: AbstractBaseUser | AnonymousUser | None, language: str
) -> dict[str, str]:
    """Values of the whitelisted variables for ``case``; empty string where there is none.

    The order variables come from the first order number in the customer's messages, and only
    if that order belongs to the case's customer: a number that happens to match someone
    else's order must never put their order status into this reply.
    """
    customer = case.customer
    values = {
        "customer.first_name": customer.first_name if customer else "",
        "customer.name": customer.full_name if customer else "",
        "case.number": case.number,
        "case.subject": case.subject,
        "agent.first_name": str(getattr(agent, "first_name", "") or ""),
        "order.number": "",
        "order.status": "",
        "order.delivery_date": "",
    }
    number = first_order_number(case) if customer is not None else ""
    if number:
        with translation.override(language):
            order = find_order(number)
            if order is not None and customer is not None and order.customer_id == customer.pk:
                values["order.number"] = str(order.number)
                values["order.status"] = order.status_label
                if order.promised_date is not None:
                    values["order.delivery_date"] = _format_date(order.promised_date, language)
    return values


def render_macro(
    *, macro: Macro, case: Case, agent: AbstractBaseUser | AnonymousUser | None
) -> RenderedMacro:
    """The macro body filled for ``case``. The caller has checked that the agent sees the case."""
    language = macro.language or case.language or "de"
    return fill_placeholders(macro.body, macro_values(case=case, agent=agent, language=language))


def macros_for_case(case: Case) -> list[Macro]:
    """Active macros usable on ``case`` (general ones and its team's), the case language first:
    an English case gets the English macros on top, the others are still offered."""
    team_filter = Q(team__isnull=True)
    if case.team_id is not None:
        team_filter |= Q(team_id=case.team_id)
    macros = list(Macro.objects.filter(team_filter, active=True).order_by("name", "language"))
    return sorted(macros, key=lambda macro: macro.language != case.language)
