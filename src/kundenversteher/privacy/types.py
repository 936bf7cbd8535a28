"""Frozen result types of the privacy app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ErasureReport:
    customer_id: int
    erased_at: datetime
    rows_by_provider: dict[str, int] = field(default_factory=dict)
    events_anonymised: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows_by_provider.values())
