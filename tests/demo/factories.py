"""Typed data helpers for the demo tests."""

from __future__ import annotations

from kundenversteher.customers.models import Customer
from kundenversteher.customers.services import create_customer


def make_real_customer(*, last_name: str = "Echt") -> Customer:
    """A customer whose e-mail is not on a reserved example domain: real data."""
    return create_customer(first_name="Rita", last_name=last_name, email="rita@firma-echt.de")
