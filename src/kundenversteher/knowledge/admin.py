"""Admin for the knowledge base. Articles are written through knowledge.services (versions,
events, index), never by ModelAdmin.save; the Markdown editor shows a server-rendered preview
(static/knowledge/article_preview.js posts the text to ``preview/``, which returns the same
sanitised HTML the help centre will show)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kundenversteher.knowledge import markdown, services
from kundenversteher.knowledge.models import Article, ArticleVersion, Category
from kundenversteher.privacy.audit import AuditedModelAdmin, diff, snapshot
from kundenversteher.privacy.models import AuditEntry

MAX_PREVIEW_CHARS = 200_000


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin[Category]):
    list_display = ("name_de", "name_en", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name_de",)}


class ArticleVersionInline(admin.TabularInline[ArticleVersion, Article]):
    model = ArticleVersion
    extra = 0
    can_delete = False
    fields = ("number", "title", "status", "visibility", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-number",)
    verbose_name_plural = _("Versionen (nur lesbar)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ArticleForm(forms.ModelForm[Article]):
    class Meta:
        model = Article
        fields = (
            "translation_key",
            "language",
            "title",
            "slug",
            "category",
            "visibility",
            "status",
            "body_markdown",
        )
        widgets = {
            "body_markdown": forms.Textarea(
                attrs={"rows": 24, "class": "kb-markdown", "spellcheck": "true"}
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Leer lassen: wird aus dem Titel gebildet.")

    def clean_translation_key(self) -> str:
        key: str = self.cleaned_data["translation_key"]
        if key != slugify(key):
            raise forms.ValidationError(_("Nur Kleinbuchstaben, Ziffern und Bindestriche."))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        adding = self.instance.pk is None
        key, language = data.get("translation_key"), data.get("language")
        if adding and Article.objects.filter(translation_key=key, language=language).exists():
            raise forms.ValidationError(
                _("Diesen Artikel gibt es in dieser Sprache schon; bitte dort bearbeiten.")
            )
        return data

    def validate_unique(self) -> None:
        # Slugs: the service picks a free one ("-2"); key+language is checked in clean().
        return


@admin.register(Article)
class ArticleAdmin(AuditedModelAdmin[Article]):
    form = ArticleForm
    change_form_template = "knowledge/admin/article_change_form.html"
    list_display = ("title", "language", "translation_key", "category", "visibility", "status")
    list_filter = ("language", "visibility", "status", "category")
    search_fields = ("title", "translation_key", "slug")
    readonly_fields = ("version", "published_at", "updated_by", "updated_at")
    inlines = (ArticleVersionInline,)
    actions = ("publish_selected", "archive_selected")

    class Media:
        js = ("knowledge/article_preview.js",)
        css = {"all": ("knowledge/article_editor.css",)}

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> Any:
        # Key and language identify the article; changing them would be another article.
        if obj is not None:
            return (*self.readonly_fields, "translation_key", "language")
        return self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Article], change: bool
    ) -> None:
        data = form.cleaned_data
        old = self._old_snapshot(obj) if change else {}
        article = services.save_article(
            key=obj.translation_key,
            language=obj.language,
            title=data["title"],
            body_markdown=data["body_markdown"],
            category=data["category"].slug if data.get("category") else "",
            visibility=data["visibility"],
            status=data["status"],
            slug=data.get("slug") or None,
            by=request.user,
        )
        obj.pk = article.pk
        obj.refresh_from_db()
        changes = diff(old, snapshot(obj), secret_fields=self.audit_secret_fields)
        if changes or not change:
            action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.ADD
            self._log(request, action, obj, changes)

    @admin.action(description=_("Ausgewählte Artikel veröffentlichen"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            services.publish_article(article_id=pk, by=request.user)
        self.message_user(request, _("Artikel veröffentlicht."), messages.SUCCESS)

    @admin.action(description=_("Ausgewählte Artikel archivieren"))
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            services.archive_article(article_id=pk, by=request.user)
        self.message_user(request, _("Artikel archiviert."), messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "preview/",
                self.admin_site.admin_view(require_POST(self.preview_view)),
                name="knowledge_article_preview",
            )
        ]
        return own + super().get_urls()

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.POST.get("body_markdown", "")[:MAX_PREVIEW_CHARS]
        return HttpResponse(markdown.render(text), content_type="text/html; charset=utf-8")
