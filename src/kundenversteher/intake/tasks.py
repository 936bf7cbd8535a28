"""Background work of intake: the pipeline run per inbound message and the stale-row sweeper."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks import task

from kundenversteher.intake import pipeline
from kundenversteher.lib.tasks import durable_task

# The row counts its own attempts (pipeline.PipelineConfig.max_attempts) and dead-letters itself;
# the task layer only needs to allow at least as many.
_TASK_MAX_ATTEMPTS = 20


def pipeline_config() -> pipeline.PipelineConfig:
    return pipeline.PipelineConfig(
        max_attachment_bytes=int(settings.KV_MAX_ATTACHMENT_BYTES),
        model_dir=Path(settings.KV_MODEL_DIR),
        max_attempts=int(getattr(settings, "KV_INTAKE_MAX_ATTEMPTS", 5)),
        # Only the process kill test sets this (through a settings module of its own).
        step_delay_seconds=float(getattr(settings, "KV_TEST_INTAKE_STEP_DELAY", 0.0)),
    )


# 30 s, 1, 2, 4 min …: a database or OCR hiccup of a few minutes does not make a dead letter.
@durable_task(max_attempts=_TASK_MAX_ATTEMPTS, base_delay_seconds=30.0)
def process_inbound(inbound_id: int) -> dict[str, Any]:
    """Run the pipeline for one stored inbound message (idempotent; see ``pipeline``)."""
    outcome = pipeline.process(inbound_id, config=pipeline_config())
    return {
        "state": outcome.state,
        "case_id": outcome.case_id,
        "message_id": outcome.message_id,
        "new_case": outcome.new_case,
    }


@task(queue_name="periodic")
def requeue_stale_inbound_task() -> int:
    """Periodic: re-nudge inbound rows whose processing was lost (killed worker, lost task)."""
    minutes = int(getattr(settings, "KV_INTAKE_STALE_MINUTES", 15))
    ids = pipeline.release_stale(older_than=timedelta(minutes=minutes))
    for inbound_id in ids:  # release_stale has committed: enqueue directly
        process_inbound.enqueue(inbound_id)
    return len(ids)
