"""Base models without domain meaning."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        abstract = True


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only log."""


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """Bulk updates and deletes are refused: a log row, once written, stays as it is."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.label} is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.label} is append-only")


class AppendOnlyModel(models.Model):
    """A log row: inserted once, never saved again or deleted.

    The one exception is DSGVO erasure, which passes ``_erasure=True`` to ``save`` to blank
    personal data while keeping the row (see ``events.services.erase_customer_events``).
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_erasure", False):
            raise AppendOnlyError(f"{self._meta.label} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.label} is append-only")


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
