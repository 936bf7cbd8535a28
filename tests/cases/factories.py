"""Typed builders and personas for the cases tests.

Personas: agent Anna (team Service, default team), agent Ben (team Buchhaltung, restricted),
supervisor Sabine (team Service), customer Clara (portal user), and an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from kundenversteher.cases import services
from kundenversteher.cases.models import (
    AgentProfile,
    AgentSkill,
    BusinessCalendar,
    Case,
    Role,
    RoutingRule,
    Skill,
    SLAPolicy,
    Team,
)
from kundenversteher.customers.models import Customer

WEEKDAYS_8_TO_17 = {str(day): [["08:00", "17:00"]] for day in range(5)}


def make_user(username: str, *, first_name: str = "", is_superuser: bool = False) -> Any:
    return get_user_model().objects.create_user(
        username=username,
        password="x-not-used-1234",
        first_name=first_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )


def make_team(
    name: str,
    *,
    restricted: bool = False,
    is_default: bool = False,
    mode: str = Team.AssignmentMode.LEAST_LOAD,
) -> Team:
    return Team.objects.create(
        name=name,
        slug=name.lower(),
        restricted=restricted,
        is_default=is_default,
        assignment_mode=mode,
    )


def make_agent(
    username: str,
    *,
    teams: list[Team],
    role: str = Role.AGENT,
    languages: tuple[str, ...] = ("de",),
    capacity: int = 10,
    skills: dict[str, int] | None = None,
    absent_until: datetime | None = None,
    calendar: BusinessCalendar | None = None,
) -> Any:
    user = make_user(username, first_name=username.capitalize())
    profile = AgentProfile.objects.create(
        user=user,
        role=role,
        languages=list(languages),
        capacity=capacity,
        absent_until=absent_until,
        calendar=calendar,
    )
    profile.teams.set(teams)
    for skill_name, level in (skills or {}).items():
        skill, _ = Skill.objects.get_or_create(name=skill_name)
        AgentSkill.objects.create(agent=profile, skill=skill, level=level)
    return user


def make_customer(
    last_name: str = "Kunde",
    *,
    first_name: str = "",
    tier: str = "standard",
    user: AbstractBaseUser | None = None,
) -> Customer:
    return Customer.objects.create(first_name=first_name, last_name=last_name, tier=tier, user=user)


def make_calendar(
    name: str = "Brenner Bayern",
    *,
    subdivision: str = "BY",
    weekly_hours: dict[str, list[list[str]]] | None = None,
) -> BusinessCalendar:
    return BusinessCalendar.objects.create(
        name=name, subdivision=subdivision, weekly_hours=weekly_hours or WEEKDAYS_8_TO_17
    )


def make_policy(
    *,
    calendar: BusinessCalendar,
    name: str = "Standard",
    first_response_minutes: int = 240,
    next_response_minutes: int = 480,
    resolution_minutes: int = 1440,
    priority: str = "",
    customer_tier: str = "",
) -> SLAPolicy:
    return SLAPolicy.objects.create(
        name=name,
        calendar=calendar,
        priority=priority,
        customer_tier=customer_tier,
        first_response_minutes=first_response_minutes,
        next_response_minutes=next_response_minutes,
        resolution_minutes=resolution_minutes,
    )


def make_rule(name: str, *, team: Team, order: int = 10, **conditions: Any) -> RoutingRule:
    return RoutingRule.objects.create(name=name, team=team, order=order, **conditions)


def make_case(
    *,
    subject: str = "Frage zur Rechnung",
    channel: str = "email",
    customer: Customer | None = None,
    body_text: str = "Guten Tag, bitte um Hilfe.",
    route: bool = False,
    now: datetime | None = None,
    **kwargs: Any,
) -> Case:
    return services.open_case(
        subject=subject,
        channel=channel,
        customer_id=customer.pk if customer else None,
        body_text=body_text,
        route=route,
        now=now,
        **kwargs,
    )


@dataclass(frozen=True)
class Personas:
    service: Team
    buchhaltung: Team
    anna: Any
    ben: Any
    sabine: Any
    admin: Any
    clara: Any
    clara_customer: Customer
    other_customer: Customer


def make_personas() -> Personas:
    service = make_team("Service", is_default=True)
    buchhaltung = make_team("Buchhaltung", restricted=True)
    anna = make_agent("anna", teams=[service], skills={"invoice_copy": 4})
    ben = make_agent("ben", teams=[buchhaltung], skills={"invoice_copy": 5})
    sabine = make_agent("sabine", teams=[service], role=Role.SUPERVISOR)
    admin = make_user("admin", is_superuser=True)
    clara = make_user("clara", first_name="Clara")
    clara_customer = make_customer("Kunde", first_name="Clara", user=clara)
    other_customer = make_customer("Andere", first_name="Olga")
    return Personas(
        service, buchhaltung, anna, ben, sabine, admin, clara, clara_customer, other_customer
    )
