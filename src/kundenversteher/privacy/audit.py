"""Audit trail of configuration changes made through the admin (teams, SLAs, routing rules ...).

Use ``AuditedModelAdmin`` as the base class of every configuration admin. Each save or delete
writes one ``AuditEntry`` with the changed fields as ``[old, new]``. Values of secret fields
(passwords, tokens, keys) are never written: the entry only says that they changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from kundenversteher.privacy.models import AuditEntry

SECRET_MASK = "***"  # noqa: S105 - the mask shown instead of secrets
# Any field whose name contains one of these is treated as secret.
SECRET_NAME_PARTS = (
    "password",
    "secret",
    "token",
    "api_key",
    "apikey",
    "credential",
    "private_key",
)

M = TypeVar("M", bound=models.Model)


def is_secret(field_name: str, extra: Iterable[str] = ()) -> bool:
    lowered = field_name.lower()
    return field_name in set(extra) or any(part in lowered for part in SECRET_NAME_PARTS)


def _jsonable(value: Any) -> Any:
    """Dates, decimals, UUIDs ... as the JSON the entry stores."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(instance: models.Model) -> dict[str, Any]:
    """Field name → JSON value of the concrete fields (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        data[field.name] = _jsonable(field.value_from_object(instance))
    return data


def diff(
    old: Mapping[str, Any], new: Mapping[str, Any], *, secret_fields: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [old, new]}``; secrets masked, timestamps of the row ignored."""
    secret = set(secret_fields)
    changes: dict[str, list[Any]] = {}
    for name in sorted(set(old) | set(new)):
        if name in {"updated_at", "created_at"}:
            continue
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if is_secret(name, secret):
            changes[name] = [SECRET_MASK, SECRET_MASK]
        else:
            changes[name] = [before, after]
    return changes


def record_audit(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    model: str,
    object_id: object,
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``model`` is the ``app_label.model_name`` label."""
    user = actor if isinstance(actor, AbstractBaseUser) else None
    return AuditEntry.objects.create(
        actor=user,  # type: ignore[misc]  # stubs know only the concrete User model
        actor_label=user.get_username() if user is not None else "",
        model=model,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        action=action,
        changes=dict(changes or {}),
    )


def audit_instance(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    instance: models.Model,
    changes: Mapping[str, Any],
) -> AuditEntry:
    return record_audit(
        actor=actor,
        action=action,
        model=instance._meta.label_lower,
        object_id=instance.pk,
        object_repr=str(instance),
        changes=changes,
    )


class AuditedModelAdmin(admin.ModelAdmin[M], Generic[M]):
    """ModelAdmin that writes an AuditEntry for every add, change and delete.

    ``audit_secret_fields`` names extra fields whose values must never be logged (fields named
    like passwords, tokens and keys are masked anyway). Changes made in inlines are logged as
    entries of the inline's model.
    """

    audit_secret_fields: tuple[str, ...] = ()

    def _old_snapshot(self, obj: M) -> dict[str, Any]:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        return snapshot(stored) if stored is not None else {}

    def _log(self, request: HttpRequest, action: str, obj: models.Model, changes: Any) -> None:
        audit_instance(actor=request.user, action=action, instance=obj, changes=changes)

    def save_model(self, request: HttpRequest, obj: M, form: ModelForm[M], change: bool) -> None:
        with transaction.atomic():
            old = self._old_snapshot(obj) if change else {}
            super().save_model(request, obj, form, change)
            changes = diff(old, snapshot(obj), secret_fields=self.audit_secret_fields)
            if changes or not change:
                action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.ADD
                self._log(request, action, obj, changes)

    def _m2m_state(self, obj: models.Model) -> dict[str, list[Any]]:
        return {
            m.name: sorted(_jsonable(list(getattr(obj, m.name).values_list("pk", flat=True))))
            for m in obj._meta.many_to_many
        }

    def save_related(
        self, request: HttpRequest, form: ModelForm[M], formsets: Any, change: bool
    ) -> None:
        # Runs after save_model and before the form writes its many-to-many values, so the
        # database still holds the old relations here.
        obj = form.instance
        before = self._m2m_state(obj) if change else {m.name: [] for m in obj._meta.many_to_many}
        super().save_related(request, form, formsets, change)
        changes = diff(before, self._m2m_state(obj), secret_fields=self.audit_secret_fields)
        if changes:
            self._log(request, AuditEntry.Action.CHANGE, obj, changes)

    def save_formset(
        self, request: HttpRequest, form: ModelForm[M], formset: Any, change: bool
    ) -> None:
        """Inline rows: one entry per added, changed or deleted row, under the row's model."""
        olds: dict[Any, dict[str, Any]] = {}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk is not None and inline_form.has_changed():
                olds[instance.pk] = self._old_snapshot(instance)
        # Deleted rows lose their primary key when deleted: describe them beforehand.
        deleted = [
            (f.instance, snapshot(f.instance)) for f in formset.deleted_forms if f.instance.pk
        ]
        super().save_formset(request, form, formset, change)
        secret = self.audit_secret_fields
        for instance in formset.new_objects:
            self._log(
                request,
                AuditEntry.Action.ADD,
                instance,
                diff({}, snapshot(instance), secret_fields=secret),
            )
        for instance, _fields in formset.changed_objects:
            changes = diff(olds.get(instance.pk, {}), snapshot(instance), secret_fields=secret)
            if changes:
                self._log(request, AuditEntry.Action.CHANGE, instance, changes)
        for instance, before in deleted:
            record_audit(
                actor=request.user,
                action=AuditEntry.Action.DELETE,
                model=instance._meta.label_lower,
                object_id=before.get("id", ""),
                object_repr=str(instance),
                changes=diff(before, {}, secret_fields=secret),
            )

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        with transaction.atomic():
            before = diff(snapshot(obj), {}, secret_fields=self.audit_secret_fields)
            self._log(request, AuditEntry.Action.DELETE, obj, before)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[M]) -> None:
        with transaction.atomic():
            for obj in queryset:
                before = diff(snapshot(obj), {}, secret_fields=self.audit_secret_fields)
                self._log(request, AuditEntry.Action.DELETE, obj, before)
            super().delete_queryset(request, queryset)
