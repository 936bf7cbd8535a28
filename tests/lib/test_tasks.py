from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kundenversteher.lib.models import PeriodicJob
from kundenversteher.lib.periodic import PeriodicSpec, enqueue_due_jobs, ensure_periodic_jobs
from kundenversteher.lib.tasks import backoff_seconds, enqueue_on_commit, recover_stale_tasks
from kundenversteher.wiring import PERIODIC_JOBS
from tests.lib import sample_tasks


def run_worker() -> None:
    call_command(
        "db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--queue-name", "*"
    )


def statuses() -> list[str]:
    return sorted(str(r.status) for r in DBTaskResult.objects.all())


def test_a_failing_task_is_retried_until_it_succeeds(transactional_db):
    cache.clear()
    sample_tasks.flaky.enqueue("flaky-1", 2)

    run_worker()

    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]
    assert results[0].return_value["status"] == "retry_scheduled"
    assert results[-1].return_value == "ok after 3"


def test_a_task_that_keeps_failing_ends_failed_and_visible(transactional_db):
    cache.clear()
    sample_tasks.flaky.enqueue("flaky-2", 99)

    run_worker()

    assert statuses() == ["FAILED", "SUCCESSFUL", "SUCCESSFUL"]
    failed = DBTaskResult.objects.get(status="FAILED")
    assert "attempt 3 failed" in failed.traceback


def test_a_permanent_error_fails_at_once_without_retry(transactional_db):
    sample_tasks.hopeless.enqueue()

    run_worker()

    assert statuses() == ["FAILED"]


def test_enqueue_on_commit_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(sample_tasks.tick)
        assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    assert DBTaskResult.objects.count() == 1


def test_backoff_grows_exponentially_within_jitter():
    assert 8 <= backoff_seconds(1, base=10) <= 12
    assert 32 <= backoff_seconds(3, base=10) <= 48
    assert backoff_seconds(30, base=10, cap=600) <= 720


def test_a_due_periodic_job_is_enqueued_once_per_interval(db):
    PeriodicJob.objects.all().delete()  # apps' migrations install their own jobs
    now = timezone.now()
    ensure_periodic_jobs(
        [PeriodicSpec("tick", "tests.lib.sample_tasks.tick", interval_seconds=60)], now=now
    )

    assert enqueue_due_jobs(now=now) == ["tick"]
    assert enqueue_due_jobs(now=now + timedelta(seconds=30)) == []  # a second worker: nothing
    assert enqueue_due_jobs(now=now + timedelta(seconds=61)) == ["tick"]
    assert DBTaskResult.objects.count() == 2
    assert PeriodicJob.objects.get(name="tick").next_run_at == now + timedelta(seconds=121)


def test_ensure_periodic_jobs_keeps_the_schedule_of_existing_jobs(db):
    now = timezone.now()
    spec = PeriodicSpec("tick", "tests.lib.sample_tasks.tick", interval_seconds=60)
    ensure_periodic_jobs([spec], now=now)
    enqueue_due_jobs(now=now)

    ensure_periodic_jobs([spec], now=now + timedelta(seconds=5))

    assert PeriodicJob.objects.get(name="tick").next_run_at == now + timedelta(seconds=60)


def test_a_task_left_running_by_a_killed_worker_is_requeued_and_run(transactional_db):
    cache.clear()
    cache.set("ticks", 0)
    sample_tasks.tick.enqueue()
    # Simulate a worker that claimed the task and was killed with SIGKILL an hour ago.
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(hours=1))

    assert recover_stale_tasks(older_than=timedelta(minutes=30)) == 1
    run_worker()

    assert statuses() == ["SUCCESSFUL"]
    assert cache.get("ticks") == 1


def test_a_recently_started_task_is_left_alone(transactional_db):
    sample_tasks.tick.enqueue()
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())

    assert recover_stale_tasks(older_than=timedelta(minutes=30)) == 0


def test_the_worker_in_batch_mode_runs_due_periodic_jobs_and_exits(transactional_db):
    call_command("kv_worker", "--batch", "--interval", "0")

    jobs = PeriodicJob.objects.order_by("name")
    assert [(job.name, job.last_enqueued_at is not None) for job in jobs] == [
        (name, True) for name in sorted(spec.name for spec in PERIODIC_JOBS)
    ]
    assert statuses() == ["SUCCESSFUL"] * len(PERIODIC_JOBS)
