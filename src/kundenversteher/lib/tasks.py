"""Background-work helpers on Django's tasks API (django-tasks backport, database backend).

Conventions: tasks take ids, claim their work, are safe to run twice; they are enqueued only
after the surrounding transaction commits; failures are retried with exponential backoff and the
last failure leaves the task result in the FAILED state (visible in the admin), never in silence.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

ATTEMPT_KWARG = "_kv_attempt"


class PermanentTaskError(Exception):
    """Raised by a task when a retry cannot help (bad input, missing row)."""


def enqueue_on_commit(task_obj: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue after the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(functools.partial(task_obj.enqueue, *args, **kwargs))


def backoff_seconds(attempt: int, *, base: float, cap: float = 3600.0) -> float:
    """Exponential backoff with ±20 % jitter so retries of a burst do not stampede."""
    delay: float = min(cap, base * 2.0 ** (attempt - 1))
    jitter = random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not cryptography
    return delay * jitter


def durable_task(
    *,
    max_attempts: int = 5,
    base_delay_seconds: float = 10.0,
    queue_name: str = "default",
    priority: int = 0,
) -> Callable[[Callable[P, T]], Task[P, T | dict[str, Any]]]:
    """A task that retries with backoff and ends FAILED after ``max_attempts``.

    Each retry is a new task result whose ``run_after`` lies in the future; the attempt number
    travels as a keyword argument. Raise :class:`PermanentTaskError` to fail at once.
    """

    def decorator(func: Callable[P, T]) -> Task[P, T | dict[str, Any]]:
        @functools.wraps(func)
        def runner(*args: Any, **kwargs: Any) -> T | dict[str, Any]:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            try:
                return func(*args, **kwargs)
            except PermanentTaskError:
                logger.exception("task %s failed permanently", func.__qualname__)
                raise
            except Exception as exc:
                if attempt >= max_attempts:
                    logger.exception("task %s failed after %d attempts", func.__qualname__, attempt)
                    raise
                delay = backoff_seconds(attempt, base=base_delay_seconds)
                run_after = timezone.now() + timedelta(seconds=delay)
                task_obj.using(run_after=run_after).enqueue(
                    *args, **{**kwargs, ATTEMPT_KWARG: attempt + 1}
                )
                logger.warning(
                    "task %s attempt %d/%d failed (%s); retry in %.0fs",
                    func.__qualname__,
                    attempt,
                    max_attempts,
                    exc,
                    delay,
                )
                return {
                    "status": "retry_scheduled",
                    "attempt": attempt,
                    "next_attempt": attempt + 1,
                    "error": f"{type(exc).__name__}: {exc}",
                }

        task_obj: Task[P, T | dict[str, Any]] = task(queue_name=queue_name, priority=priority)(
            runner
        )
        return task_obj

    return decorator


def recover_stale_tasks(*, older_than: timedelta) -> int:
    """Put tasks whose worker died mid-run (SIGKILL, power loss) back into the queue.

    A task result that has been RUNNING for longer than ``older_than`` is made READY again; tasks
    are idempotent, so running one a second time after a lost worker is safe. Returns the count.
    """
    # Imported here: lib.tasks is imported by apps before the app registry is ready.
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    stale = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    count = stale.update(status="READY", started_at=None)
    if count:
        logger.warning("re-queued %d task(s) whose worker was lost", count)
    return count


@task(queue_name="default")
def recover_stale_tasks_task() -> int:
    """Periodic: re-queue tasks stuck in RUNNING for more than 30 minutes."""
    return recover_stale_tasks(older_than=timedelta(minutes=30))
