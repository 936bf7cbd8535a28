"""The django-ninja API: one NinjaAPI composed from a router per resource.

Mounted at /api/ by the project urls: OpenAPI UI at /api/docs, schema at /api/openapi.json,
resources under /api/v1/.
"""

from __future__ import annotations

from ninja import NinjaAPI

from kundenversteher.api import (
    cases,
    customers,
    devices,
    events,
    intake,
    messages,
    orders,
    tokens,
    webhooks,
)
from kundenversteher.api.errors import install_error_handlers

api = NinjaAPI(
    title="Kundenversteher API",
    version="1",
    description=(
        "Anliegen, Nachrichten, Kunden, Bestellungen, Geräte und Ereignisse.\n\n"
        "Anmeldung: `Authorization: Bearer <token>` (Token mit Berechtigungen, z. B. "
        "`cases:read`) oder die Browser-Sitzung mit CSRF-Token. Fehler: JSON "
        '`{"detail": "...", "code": "..."}`; ungültige Eingaben 422 mit einer Liste '
        '`{"loc", "msg", "type"}` je Feld.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

api.add_router("/v1/cases/", cases.router)
api.add_router("/v1/messages/", messages.router)
api.add_router("/v1/intake/", intake.router)
api.add_router("/v1/customers/", customers.router)
api.add_router("/v1/orders/", orders.router)
api.add_router("/v1/devices/", devices.router)
api.add_router("/v1/events/", events.router)
api.add_router("/v1/webhooks/", webhooks.router)
api.add_router("/v1/tokens/", tokens.router)
