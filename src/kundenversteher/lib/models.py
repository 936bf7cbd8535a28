"""Base models without domain meaning."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        abstract = True


class PeriodicJob(models.Model):
    """A job the worker enqueues on a fixed interval.

    Several workers may run: the one whose conditional UPDATE moves ``next_run_at`` wins the
    slot, so a job is enqueued once per interval however many workers there are.
    """

    name = models.CharField(_("Name"), max_length=100, unique=True)
    task_path = models.CharField(_("Aufgabe (Python-Pfad)"), max_length=200)
    interval_seconds = models.PositiveIntegerField(_("Intervall (Sekunden)"))
    next_run_at = models.DateTimeField(_("nächster Lauf"))
    last_enqueued_at = models.DateTimeField(_("zuletzt eingereiht"), null=True, blank=True)
    enabled = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("periodischer Job")
        verbose_name_plural = _("periodische Jobs")

    def __str__(self) -> str:
        return self.name
