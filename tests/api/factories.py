"""Typed helpers building the personas and records the API tests need."""

from __future__ import annotations

from datetime import datetime
from itertools import count

from django.contrib.auth.models import User

from kundenversteher.api.models import ApiToken, Scope
from kundenversteher.api.services import create_token
from kundenversteher.cases.models import AgentProfile, Case, Channel, Role, Team

PASSWORD = "ein-sicheres-Passwort-42"
_numbers = count(1)


def make_user(username: str, *, is_superuser: bool = False, is_staff: bool = False) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        is_superuser=is_superuser,
        is_staff=is_staff or is_superuser,
    )


def make_team(name: str, *, restricted: bool = False) -> Team:
    return Team.objects.create(name=name, slug=name.lower(), restricted=restricted)


def make_agent(username: str, *, role: str = Role.AGENT, teams: list[Team] | None = None) -> User:
    user = make_user(username)
    profile = AgentProfile.objects.create(user=user, role=role)
    profile.teams.set(teams or [])
    return user


def make_admin(username: str = "admin") -> User:
    return make_user(username, is_superuser=True)


def make_token(
    user: User,
    *,
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    return create_token(
        user=user,
        name="Test",
        scopes=scopes if scopes is not None else list(Scope.values),
        expires_at=expires_at,
    )


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_raw_case(*, team: Team | None = None, subject: str = "Heizung defekt") -> Case:
    """A bare case row for visibility tests that need no workflow (numbers are unique)."""
    return Case.objects.create(
        number=f"KV-2026-{next(_numbers):06d}",
        subject=subject,
        channel=Channel.EMAIL,
        team=team,
    )
