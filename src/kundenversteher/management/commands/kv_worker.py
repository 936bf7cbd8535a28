"""``kundenversteher worker``: runs queued tasks and enqueues periodic jobs.

One process runs the database task worker (django-tasks-db) in its main thread and a small
scheduler thread that enqueues due periodic jobs. Start several workers to scale out; the
database hands each task to one of them (row locks on PostgreSQL, an exclusive transaction on
SQLite) and each periodic slot to one of them.
"""

from __future__ import annotations

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kundenversteher import wiring
from kundenversteher.lib.periodic import enqueue_due_jobs, ensure_periodic_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Hintergrund-Worker: Aufgaben und periodische Jobs ausführen."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Sekunden zwischen Abfragen"
        )
        parser.add_argument(
            "--batch", action="store_true", help="Alle fälligen Aufgaben ausführen, dann beenden"
        )
        parser.add_argument("--no-periodic", action="store_true", help="Keine periodischen Jobs")
        parser.add_argument("--queue-name", default="*", help="Warteschlangen (Standard: alle)")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        scheduler: threading.Thread | None = None
        if not options["no_periodic"]:
            ensure_periodic_jobs(wiring.PERIODIC_JOBS)
            if options["batch"]:
                enqueue_due_jobs()
            else:
                scheduler = threading.Thread(
                    target=_schedule_loop, args=(stop,), name="kv-scheduler", daemon=True
                )
                scheduler.start()
        worker_args = [
            "--queue-name",
            options["queue_name"],
            "--interval",
            str(options["interval"]),
        ]
        if options["batch"]:
            worker_args.append("--batch")
        try:
            call_command("db_worker", *worker_args)
        finally:
            stop.set()


def _schedule_loop(stop: threading.Event, period: float = 5.0) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            for name in enqueue_due_jobs():
                logger.info("periodic job %s enqueued", name)
        except Exception:  # the scheduler must survive a database hiccup; it logs and retries
            logger.exception("periodic scheduler failed; retrying")
        stop.wait(period)
