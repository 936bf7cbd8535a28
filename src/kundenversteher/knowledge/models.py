"""Knowledge-base data: categories, articles (one row per translation), their append-only
versions and the chunks the semantic index is built from.

An article's German and English versions share ``translation_key``; each has its own slug, so
the help centre links /portal/hilfe/heizung-entlueften/ and /portal/hilfe/bleeding-radiators/.
``search_title``/``search_body`` hold the stemmed words the full-text index reads (filled by
the services, see knowledge/indexing.py): the same stemmer then serves SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kundenversteher.knowledge.types import ArticleStatus, Language, Visibility
from kundenversteher.lib.models import AppendOnlyModel, AppendOnlyQuerySet, TimeStampedModel

LANGUAGE_CHOICES = [(Language.DE.value, _("Deutsch")), (Language.EN.value, _("Englisch"))]
VISIBILITY_CHOICES = [
    (Visibility.PUBLIC.value, _("öffentlich")),
    (Visibility.INTERNAL.value, _("intern")),
]
STATUS_CHOICES = [
    (ArticleStatus.DRAFT.value, _("Entwurf")),
    (ArticleStatus.PUBLISHED.value, _("veröffentlicht")),
    (ArticleStatus.ARCHIVED.value, _("archiviert")),
]


class Category(models.Model):
    slug = models.SlugField(_("Kürzel"), max_length=80, unique=True)
    name_de = models.CharField(_("Name (deutsch)"), max_length=120)
    name_en = models.CharField(_("Name (englisch)"), max_length=120, blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=100)

    class Meta:
        ordering = ("position", "name_de")
        verbose_name = _("Kategorie")
        verbose_name_plural = _("Kategorien")

    def __str__(self) -> str:
        return self.name_de

    def name_for(self, language: str) -> str:
        return self.name_en if language == Language.EN and self.name_en else self.name_de


class Article(TimeStampedModel):
    translation_key = models.SlugField(
        _("Übersetzungsschlüssel"),
        max_length=120,
        help_text=_("Gleich für die deutsche und die englische Fassung desselben Artikels."),
    )
    language = models.CharField(_("Sprache"), max_length=2, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Adresse (Slug)"), max_length=200)
    category = models.ForeignKey(
        Category,
        verbose_name=_("Kategorie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    visibility = models.CharField(
        _("Sichtbarkeit"), max_length=10, choices=VISIBILITY_CHOICES, default="public"
    )
    status = models.CharField(_("Status"), max_length=10, choices=STATUS_CHOICES, default="draft")
    body_markdown = models.TextField(_("Text (Markdown)"), blank=True)
    body_html = models.TextField(_("Text (HTML, bereinigt)"), blank=True, editable=False)
    body_text = models.TextField(_("Text (ohne Auszeichnung)"), blank=True, editable=False)
    search_title = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(_("Version"), default=0, editable=False)
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zuletzt geändert von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        # No join in the default ordering: services lock articles with SELECT … FOR UPDATE,
        # which PostgreSQL refuses on the nullable side of an outer join.
        ordering = ("title",)
        verbose_name = _("Artikel")
        verbose_name_plural = _("Artikel")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="knowledge_article_key_language"
            ),
            models.UniqueConstraint(fields=["language", "slug"], name="knowledge_article_slug"),
        ]
        indexes = [models.Index(fields=["status", "visibility", "language"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class ArticleVersion(AppendOnlyModel):
    """What an article looked like after one save. Append-only: the history cannot be edited."""

    article = models.ForeignKey(
        Article, verbose_name=_("Artikel"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("Nummer"))
    title = models.CharField(_("Titel"), max_length=200)
    body_markdown = models.TextField(_("Text (Markdown)"), blank=True)
    category_slug = models.CharField(_("Kategorie"), max_length=80, blank=True)
    visibility = models.CharField(_("Sichtbarkeit"), max_length=10)
    status = models.CharField(_("Status"), max_length=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erstellt von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("article", "-number")
        verbose_name = _("Artikelversion")
        verbose_name_plural = _("Artikelversionen")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleChunk(models.Model):
    """A heading-sized piece of an article with its embedding (float32, L2-normalised).

    Rebuilt by the task ``knowledge.reindex_article`` whenever the article's version changes;
    ``article_version`` and ``embedder`` say what the vector was computed from.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    vector = models.BinaryField()
    embedder = models.CharField(max_length=40)
    article_version = models.PositiveIntegerField()

    class Meta:
        ordering = ("article", "position")
        verbose_name = _("Artikelabschnitt")
        verbose_name_plural = _("Artikelabschnitte")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "embedder", "position"], name="knowledge_chunk_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} #{self.position} ({self.embedder})"
