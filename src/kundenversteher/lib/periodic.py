"""Periodic jobs run by the same worker as every other task.

The schedule lives in the database (``PeriodicJob``): any number of workers may run, and a job is
enqueued once per interval because only the worker whose conditional UPDATE moves
``next_run_at`` forward enqueues it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from kundenversteher.lib.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodicSpec:
    name: str
    task_path: str  # dotted path of a task taking no arguments
    interval_seconds: int


def ensure_periodic_jobs(specs: list[PeriodicSpec], *, now: datetime | None = None) -> None:
    """Create or update the schedule rows; keeps ``next_run_at`` of existing jobs."""
    now = now or timezone.now()
    for spec in specs:
        import_string(spec.task_path)  # fail at start-up, not at the first run
        job, created = PeriodicJob.objects.get_or_create(
            name=spec.name,
            defaults={
                "task_path": spec.task_path,
                "interval_seconds": spec.interval_seconds,
                "next_run_at": now,
            },
        )
        if not created and (
            job.task_path != spec.task_path or job.interval_seconds != spec.interval_seconds
        ):
            job.task_path = spec.task_path
            job.interval_seconds = spec.interval_seconds
            job.save(update_fields=["task_path", "interval_seconds"])


def enqueue_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Enqueue every due job once; returns the names this call enqueued."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for job in PeriodicJob.objects.filter(enabled=True, next_run_at__lte=now):
        with transaction.atomic():
            won = PeriodicJob.objects.filter(id=job.id, next_run_at=job.next_run_at).update(
                next_run_at=now + timedelta(seconds=job.interval_seconds),
                last_enqueued_at=now,
            )
            if not won:
                continue  # another worker took this slot
            import_string(job.task_path).enqueue()
        enqueued.append(job.name)
    return enqueued
