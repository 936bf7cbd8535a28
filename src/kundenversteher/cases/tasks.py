"""Background work of the cases app (tasks take ids or nothing and are idempotent)."""

from __future__ import annotations

from django.conf import settings

from kundenversteher.cases import services
from kundenversteher.lib.tasks import durable_task


@durable_task(queue_name="periodic", max_attempts=3)
def check_sla() -> dict[str, int]:
    """Periodic (PeriodicJob ``cases.check_sla``): SLA warnings and breaches, each once."""
    minutes = int(getattr(settings, "KV_SLA_WARNING_MINUTES", 60))
    result = services.check_sla_clocks(warning_minutes=minutes)
    return {"warnings": result.warnings, "breaches": result.breaches}
