"""Tasks used by the lib tests (module-level so the task backend can import them by path)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django_tasks import task

from kundenversteher.lib.tasks import PermanentTaskError, durable_task


@durable_task(max_attempts=3, base_delay_seconds=0.0)
def flaky(key: str, failures: int) -> str:
    """Fails ``failures`` times (counted in the cache), then succeeds."""
    seen = cache.get_or_set(key, 0)
    cache.set(key, seen + 1)
    if seen < failures:
        raise ConnectionError(f"attempt {seen + 1} failed")
    return f"ok after {seen + 1}"


@durable_task(max_attempts=5, base_delay_seconds=0.0)
def hopeless() -> None:
    raise PermanentTaskError("bad input")


@task()
def slow_tick(seconds: float) -> str:
    """Works for a while (long enough to be killed half-way), then counts."""
    time.sleep(seconds)
    cache.incr("ticks")
    return "tick"


@task()
def tick() -> str:
    cache.incr("ticks")
    return "tick"
