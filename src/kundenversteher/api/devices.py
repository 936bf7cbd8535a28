"""/api/v1/devices: list (by customer, status) and detail by serial number. Staff only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kundenversteher.api.auth import ensure_staff, requires
from kundenversteher.api.errors import ResourceNotFoundError
from kundenversteher.api.models import Scope
from kundenversteher.api.pagination import PageParams
from kundenversteher.api.schemas import DeviceOut, DevicePage, with_errors
from kundenversteher.customers import queries
from kundenversteher.customers.models import Device
from kundenversteher.customers.types import DeviceInfo

router = Router(tags=["devices"])
READ = requires(Scope.DEVICES_READ)


class DeviceFilter(Schema):
    customer: int | None = None
    status: str | None = None


@router.get("/", response=with_errors({200: DevicePage}), auth=READ)
def list_devices(
    request: HttpRequest, filters: Query[DeviceFilter], page: Query[PageParams]
) -> dict[str, Any]:
    ensure_staff(request)
    devices = Device.objects.select_related("product").order_by("serial")
    if filters.customer is not None:
        devices = devices.filter(owner_id=filters.customer)
    if filters.status:
        devices = devices.filter(status=filters.status)
    rows = devices[page.offset : page.offset + page.limit]
    return {
        "items": [
            {
                "id": d.id,
                "serial": d.serial,
                "customer_id": d.owner_id,
                "model_sku": d.product.sku,
                "model_name": d.product.name_de,
                "status": d.status,
                "status_label": d.get_status_display(),
                "street": d.street,
                "postcode": d.postcode,
                "city": d.city,
                "location": d.location,
                "installed_on": d.installed_on,
                "warranty_until": d.warranty_until,
            }
            for d in rows
        ],
        "count": devices.count(),
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get("/{serial}", response=with_errors({200: DeviceOut}), auth=READ)
def get_device(request: HttpRequest, serial: str) -> DeviceInfo:
    ensure_staff(request)
    device = queries.find_device(serial)
    if device is None:
        raise ResourceNotFoundError(_("Gerät nicht gefunden."))
    return device
