"""/api/v1/orders: list (by customer, status) and detail by order number. Staff only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kundenversteher.api.auth import ensure_staff, requires
from kundenversteher.api.models import Scope
from kundenversteher.api.pagination import PageParams
from kundenversteher.api.schemas import OrderDetailOut, OrderPage, with_errors
from kundenversteher.customers import queries
from kundenversteher.customers.errors import OrderNotFoundError
from kundenversteher.customers.models import Order
from kundenversteher.customers.types import OrderInfo

router = Router(tags=["orders"])
READ = requires(Scope.ORDERS_READ)


class OrderFilter(Schema):
    customer: int | None = None
    status: str | None = None


@router.get("/", response=with_errors({200: OrderPage}), auth=READ)
def list_orders(
    request: HttpRequest, filters: Query[OrderFilter], page: Query[PageParams]
) -> dict[str, Any]:
    ensure_staff(request)
    orders = Order.objects.order_by("-ordered_at", "-number")
    if filters.customer is not None:
        orders = orders.filter(customer_id=filters.customer)
    if filters.status:
        orders = orders.filter(status=filters.status)
    rows = orders[page.offset : page.offset + page.limit]
    return {
        "items": [
            {
                "id": o.id,
                "number": o.number,
                "customer_id": o.customer_id,
                "status": o.status,
                "status_label": o.get_status_display(),
                "ordered_at": o.ordered_at,
                "promised_date": o.promised_date,
                "shipped_at": o.shipped_at,
                "carrier": o.carrier,
                "tracking_number": o.tracking_number,
                "total": o.total,
            }
            for o in rows
        ],
        "count": orders.count(),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{number}", response=with_errors({200: OrderDetailOut}), auth=READ)
def get_order(request: HttpRequest, number: int) -> OrderInfo:
    ensure_staff(request)
    order = queries.find_order(number)
    if order is None:
        raise OrderNotFoundError(_("Bestellung nicht gefunden."))
    return order
