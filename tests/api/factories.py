"""Typed helpers building the personas and records the API tests need."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import count

from django.contrib.auth.models import User

from kundenversteher.api.models import ApiToken, Scope
from kundenversteher.api.services import create_token
from kundenversteher.cases.models import AgentProfile, Case, Channel, Role, Team
from kundenversteher.customers.models import Customer, Device, Order, Product
from kundenversteher.customers.services import create_customer, create_order
from kundenversteher.customers.types import OrderLineInput

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


def make_customer(last_name: str = "Schmidt", **kwargs: object) -> Customer:
    return create_customer(last_name=last_name, **kwargs)  # type: ignore[arg-type]


def make_product(sku: str = "WP-100", *, name: str = "Wärmepumpe WP 100") -> Product:
    return Product.objects.create(
        sku=sku, name_de=name, category=Product.Category.HEAT_PUMP, price=Decimal("9999.00")
    )


def make_order(customer: Customer, number: int, *, product: Product | None = None) -> Order:
    product = product or make_product(f"SKU-{number}")
    return create_order(
        customer_id=customer.id,
        number=number,
        lines=[OrderLineInput(product_id=product.id, quantity=2)],
    )


def make_device(customer: Customer, serial: str, *, product: Product | None = None) -> Device:
    return Device.objects.create(
        serial=serial, owner=customer, product=product or make_product(f"M-{serial}")
    )
