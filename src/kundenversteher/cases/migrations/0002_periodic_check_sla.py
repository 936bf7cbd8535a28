"""Register the SLA check as a periodic job (the worker enqueues it every minute)."""

from django.db import migrations
from django.utils import timezone

JOB_NAME = "cases.check_sla"


def add_job(apps, schema_editor):
    PeriodicJob = apps.get_model("kv_lib", "PeriodicJob")
    PeriodicJob.objects.get_or_create(
        name=JOB_NAME,
        defaults={
            "task_path": "kundenversteher.cases.tasks.check_sla",
            "interval_seconds": 60,
            "next_run_at": timezone.now(),
        },
    )


def remove_job(apps, schema_editor):
    apps.get_model("kv_lib", "PeriodicJob").objects.filter(name=JOB_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("kv_lib", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_job, remove_job)]
