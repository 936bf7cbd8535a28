"""Writes of the knowledge base. Each public function is one transaction that records its event;
the semantic index follows after commit (task ``knowledge.reindex_article``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kundenversteher.events.services import record
from kundenversteher.knowledge import indexing, markdown
from kundenversteher.knowledge.errors import ArticleNotFound, ImportFailed, InvalidArticle
from kundenversteher.knowledge.importing import parse_file
from kundenversteher.knowledge.models import Article, ArticleVersion, Category
from kundenversteher.knowledge.tasks import reindex_article
from kundenversteher.knowledge.types import (
    ArticleStatus,
    ImportedFile,
    ImportReport,
    Language,
    Visibility,
)
from kundenversteher.lib.tasks import enqueue_on_commit

Actor = AbstractBaseUser | AnonymousUser | None

_LANGUAGES = {lang.value for lang in Language}
_VISIBILITIES = {v.value for v in Visibility}
_STATUSES = {s.value for s in ArticleStatus}


def _user(by: Actor) -> AbstractBaseUser | None:
    return by if isinstance(by, AbstractBaseUser) else None


def _slugify(text: str) -> str:
    # German transliteration first: slugify would turn "Türen" into "turen", not "tueren".
    for umlaut, ascii_form in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_form).replace(umlaut.upper(), ascii_form.capitalize())
    return slugify(text)[:180]


def _free_slug(base: str, *, language: str, article_id: int | None) -> str:
    others = Article.objects.filter(language=language, slug__startswith=base)
    if article_id is not None:
        others = others.exclude(pk=article_id)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def ensure_category(
    *, slug: str, name_de: str = "", name_en: str = "", position: int = 100
) -> Category:
    """The category ``slug``, created when missing (names given here win over existing ones)."""
    with transaction.atomic():
        category, created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name_de": name_de or slug.replace("-", " ").capitalize(),
                "name_en": name_en,
                "position": position,
            },
        )
        if (
            not created
            and name_de
            and (
                (category.name_de, category.name_en, category.position)
                != (name_de, name_en, position)
            )
        ):
            category.name_de, category.name_en, category.position = name_de, name_en, position
            category.save(update_fields=["name_de", "name_en", "position"])
    return category


def _validate(*, key: str, language: str, title: str, visibility: str, status: str | None) -> None:
    if not key or key != slugify(key):
        raise InvalidArticle(_("Ungültiger Übersetzungsschlüssel: %(key)s") % {"key": key})
    if language not in _LANGUAGES:
        raise InvalidArticle(_("Sprache muss „de“ oder „en“ sein."))
    if not title.strip():
        raise InvalidArticle(_("Der Titel darf nicht leer sein."))
    if visibility not in _VISIBILITIES:
        raise InvalidArticle(_("Sichtbarkeit muss „public“ oder „internal“ sein."))
    if status is not None and status not in _STATUSES:
        raise InvalidArticle(_("Unbekannter Status: %(status)s") % {"status": status})


def save_article(
    *,
    key: str,
    language: str,
    title: str,
    body_markdown: str,
    category: str = "",
    visibility: str = "public",
    by: Actor = None,
    status: str | None = None,
    slug: str | None = None,
) -> Article:
    """Create the article (``key``, ``language``) or add a new version of it.

    ``category`` is a category slug (created with a provisional name when missing). ``status``
    None keeps an existing article's status and publishes a new one (imports and the demo want
    visible articles; the admin passes "draft" explicitly). A save that changes nothing adds no
    version and records no event, so re-running an import is harmless.
    """
    title = title.strip()
    _validate(key=key, language=language, title=title, visibility=visibility, status=status)
    with transaction.atomic():
        category_obj = ensure_category(slug=category) if category else None
        article = (
            Article.objects.order_by()
            .select_for_update()
            .filter(translation_key=key, language=language)
            .first()
        )
        created = article is None
        if article is None:
            article = Article(translation_key=key, language=language)
        new_status = status or (article.status if not created else ArticleStatus.PUBLISHED.value)
        wanted_slug = _slugify(slug or (article.slug if not created and not slug else title))
        if not wanted_slug:
            raise InvalidArticle(_("Aus dem Titel lässt sich keine Adresse bilden."))
        unchanged = not created and (
            article.title,
            article.body_markdown,
            article.category_id,
            article.visibility,
            article.status,
            article.slug,
        ) == (
            title,
            body_markdown,
            category_obj.pk if category_obj else None,
            visibility,
            new_status,
            wanted_slug,
        )
        if unchanged:
            return article
        article.title = title
        article.slug = _free_slug(wanted_slug, language=language, article_id=article.pk)
        article.category = category_obj
        article.visibility = visibility
        article.status = new_status
        article.body_markdown = body_markdown
        article.body_html = markdown.render(body_markdown)
        article.body_text = markdown.plain_text(article.body_html)
        article.search_title = indexing.search_text(title, language=language)
        article.search_body = indexing.search_text(article.body_text, language=language)
        article.version += 1
        if new_status == ArticleStatus.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
        article.updated_by = _user(by)  # type: ignore[assignment]
        article.save()
        ArticleVersion.objects.create(
            article=article,
            number=article.version,
            title=title,
            body_markdown=body_markdown,
            category_slug=category_obj.slug if category_obj else "",
            visibility=visibility,
            status=new_status,
            created_by=_user(by),  # type: ignore[misc]
        )
        record(
            "knowledge.article_saved",
            subject=article,
            actor=by,
            data={
                "translation_key": key,
                "language": language,
                "version": article.version,
                "created": created,
                "visibility": visibility,
                "status": new_status,
            },
        )
        enqueue_on_commit(reindex_article, article.pk)
    return article


def _set_status(*, article_id: int, status: ArticleStatus, kind: str, by: Actor) -> Article:
    with transaction.atomic():
        article = Article.objects.order_by().select_for_update().filter(pk=article_id).first()
        if article is None:
            raise ArticleNotFound(_("Artikel nicht gefunden."))
        if article.status == status:
            return article
        article.status = status.value
        if status == ArticleStatus.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
        article.updated_by = _user(by)  # type: ignore[assignment]
        article.save(update_fields=["status", "published_at", "updated_by", "updated_at"])
        record(kind, subject=article, actor=by, data={"status": status.value})
    return article


def publish_article(*, article_id: int, by: Actor = None) -> Article:
    """Make an article visible (to the help centre when public, to agents when internal)."""
    return _set_status(
        article_id=article_id,
        status=ArticleStatus.PUBLISHED,
        kind="knowledge.article_published",
        by=by,
    )


def archive_article(*, article_id: int, by: Actor = None) -> Article:
    """Take an article out of search and the help centre; it and its versions stay stored."""
    return _set_status(
        article_id=article_id,
        status=ArticleStatus.ARCHIVED,
        kind="knowledge.article_archived",
        by=by,
    )


def import_files(paths: Sequence[Path], *, by: Actor = None) -> ImportReport:
    """Import Markdown/HTML files, one transaction per file: a broken file is reported and the
    others are imported all the same."""
    results: list[ImportedFile] = []
    for path in paths:
        try:
            parsed = parse_file(Path(path))
            before = (
                Article.objects.filter(translation_key=parsed.key, language=parsed.language)
                .values_list("version", flat=True)
                .first()
            )
            article = save_article(
                key=parsed.key,
                language=parsed.language,
                title=parsed.title,
                body_markdown=parsed.body_markdown,
                category=parsed.category,
                visibility=parsed.visibility,
                status=parsed.status,
                slug=parsed.slug,
                by=by,
            )
        except (ImportFailed, InvalidArticle) as exc:
            results.append(ImportedFile(str(path), False, None, False, False, str(exc)))
            continue
        created = before is None
        changed = created or article.version != before
        if created:
            message = _("neu angelegt")
        elif changed:
            message = _("neue Version %(n)d") % {"n": article.version}
        else:
            message = _("unverändert")
        results.append(ImportedFile(str(path), True, article.pk, created, changed, message))
    return ImportReport(files=tuple(results))
