"""Admin for answer templates: placeholders are checked on save, the version counts edits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from kundenversteher.knowledge.answers.models import AnswerTemplate
from kundenversteher.knowledge.answers.services import template_problems
from kundenversteher.knowledge.answers.slots import INTENT_VARIANTS, allowed_slots
from kundenversteher.privacy.audit import AuditedModelAdmin


class AnswerTemplateForm(forms.ModelForm[AnswerTemplate]):
    class Meta:
        model = AnswerTemplate
        fields = ("intent", "variant", "language", "subject", "body", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = template_problems(
            intent=data.get("intent", ""),
            variant=data.get("variant", ""),
            subject=data.get("subject", ""),
            body=data.get("body", ""),
        )
        if problems:
            raise forms.ValidationError(problems)
        return data


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(AuditedModelAdmin[AnswerTemplate]):
    form = AnswerTemplateForm
    list_display = ("intent", "variant", "language", "subject", "active", "version", "updated_at")
    list_filter = ("active", "language", "intent")
    search_fields = ("intent", "subject", "body")
    readonly_fields = ("version", "available_placeholders")

    @admin.display(description=_("verfügbare Platzhalter"))
    def available_placeholders(self, obj: AnswerTemplate) -> SafeString:
        if not obj.intent:
            return SafeString("")
        situations = ", ".join(v or "–" for v in INTENT_VARIANTS.get(obj.intent, ()))
        rows = [(name,) for name in allowed_slots(obj.intent)]
        return format_html_join("", "<code>{{{{ {} }}}}</code><br>", rows) + format_html_join(
            "", "<p>{}</p>", [(_("Situationen: %s") % situations,)]
        )

    def save_model(
        self, request: HttpRequest, obj: AnswerTemplate, form: Any, change: bool
    ) -> None:
        if change:
            stored = AnswerTemplate.objects.filter(pk=obj.pk).values_list("version", flat=True)
            obj.version = stored.get() + 1
        super().save_model(request, obj, form, change)
