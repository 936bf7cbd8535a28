"""/api/v1/customers: search/list, the customer 360 (identities, contracts, orders, devices),
create. Staff only: portal customers see their data in the portal, not here."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kundenversteher.api.auth import ensure_staff, requires
from kundenversteher.api.models import Scope
from kundenversteher.api.pagination import PageParams
from kundenversteher.api.schemas import (
    CustomerDetailOut,
    CustomerIn,
    CustomerPage,
    with_errors,
)
from kundenversteher.customers import queries, services
from kundenversteher.customers.models import Customer, CustomerIdentity
from kundenversteher.customers.types import CustomerContext

router = Router(tags=["customers"])
READ = requires(Scope.CUSTOMERS_READ)
WRITE = requires(Scope.CUSTOMERS_WRITE)


class CustomerFilter(Schema):
    q: str = Field("", max_length=200, description="Name, E-Mail, Telefon, KD-/WV-Nummer, …")


def _summary(customer: Customer) -> dict[str, Any]:
    numbers = getattr(customer, "numbers", [])
    return {
        "id": customer.id,
        "display_name": customer.display_name,
        "kind": customer.kind,
        "customer_number": numbers[0].value if numbers else "",
        "postcode": customer.postcode,
        "city": customer.city,
    }


@router.get("/", response=with_errors({200: CustomerPage}), auth=READ)
def list_customers(
    request: HttpRequest, filters: Query[CustomerFilter], page: Query[PageParams]
) -> dict[str, Any]:
    ensure_staff(request)
    if filters.q.strip():
        # The search ranks and caps its own results; offsets page within that capped list.
        found = queries.search_customers(filters.q, limit=page.offset + page.limit)
        return {
            "items": found[page.offset : page.offset + page.limit],
            "count": len(found),
            "limit": page.limit,
            "offset": page.offset,
        }
    customers = (
        Customer.objects.filter(merged_into__isnull=True)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "identities",
                queryset=CustomerIdentity.objects.filter(
                    kind=CustomerIdentity.Kind.CUSTOMER_NUMBER
                ),
                to_attr="numbers",
            )
        )
        .order_by("last_name", "first_name", "id")
    )
    rows = customers[page.offset : page.offset + page.limit]
    return {
        "items": [_summary(c) for c in rows],
        "count": customers.count(),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{customer_id}", response=with_errors({200: CustomerDetailOut}), auth=READ)
def get_customer(request: HttpRequest, customer_id: int) -> CustomerContext:
    ensure_staff(request)
    return queries.get_customer_context(customer_id)


@router.post("/", response=with_errors({201: CustomerDetailOut}), auth=WRITE)
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[CustomerContext]:
    user = ensure_staff(request)
    customer = services.create_customer(
        last_name=payload.last_name,
        first_name=payload.first_name,
        kind=payload.kind,
        organisation_id=payload.organisation_id,
        salutation=payload.salutation,
        company_role=payload.company_role,
        preferred_language=payload.preferred_language,
        street=payload.street,
        postcode=payload.postcode,
        city=payload.city,
        country=payload.country.upper(),
        email=payload.email,
        phone=payload.phone,
        customer_number=payload.customer_number,
        by=user,
        channel="api",
    )
    return Status(201, queries.get_customer_context(customer.id))
