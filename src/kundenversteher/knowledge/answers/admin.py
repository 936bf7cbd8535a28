"""Admin for answer templates: placeholders are checked on save, the version counts edits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from kundenversteher.customers.queries import search_customers
from kundenversteher.intelligence.entities import extract_entities
from kundenversteher.knowledge.answers.composing import preview
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
    change_form_template = "knowledge_answers/admin/template_change_form.html"
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

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:template_id>/vorschau/",
                self.admin_site.admin_view(self.preview_view),
                name="knowledge_answers_answertemplate_preview",
            )
        ]
        return own + super().get_urls()

    def preview_view(self, request: HttpRequest, template_id: int) -> HttpResponse:
        """The template filled with a real customer's data, as ``compose`` would send it."""
        if not self.has_view_permission(request) or not request.user.has_perm(
            "customers.view_customer"
        ):
            raise PermissionDenied
        template = get_object_or_404(AnswerTemplate, pk=template_id)
        query = request.GET.get("customer", "").strip()
        text = request.GET.get("text", "")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Vorschau: %(template)s") % {"template": template},
            "template": template,
            "customer_query": query,
            "text": text,
        }
        if query:
            customer_id = _customer_id(query)
            if customer_id is None:
                context["error"] = _("Kein eindeutiger Kunde zu „%(query)s“.") % {"query": query}
            else:
                understanding = {
                    "text": text,
                    "entities": [
                        {"kind": e.kind.value, "value": e.value, "text": e.text}
                        for e in extract_entities(text)
                    ],
                }
                answer = preview(
                    template_id=template.id, customer_id=customer_id, understanding=understanding
                )
                context["answer"] = answer
                context["slots"] = sorted(answer.slots.items())
        return TemplateResponse(request, "knowledge_answers/admin/preview.html", context)


def _customer_id(query: str) -> int | None:
    if query.isdigit():
        return int(query)
    matches = search_customers(query, limit=2)
    return matches[0].id if len(matches) == 1 else None
