"""Reads of the knowledge base for the help centre, the admin and other apps."""

from __future__ import annotations

from django.db.models import Q

from kundenversteher.knowledge.models import Article, Category
from kundenversteher.knowledge.types import (
    ArticleLink,
    ArticleStatus,
    ArticleView,
    CategoryView,
    Visibility,
)


def _public() -> Q:
    return Q(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def _view(article: Article, *, public_only: bool) -> ArticleView:
    others = Article.objects.filter(translation_key=article.translation_key).exclude(pk=article.pk)
    others = others.filter(_public()) if public_only else others.filter(status="published")
    category = article.category
    return ArticleView(
        article_id=article.pk,
        translation_key=article.translation_key,
        language=article.language,
        title=article.title,
        slug=article.slug,
        body_html=article.body_html,
        category_slug=category.slug if category else "",
        category_name=category.name_for(article.language) if category else "",
        visibility=article.visibility,
        published_at=article.published_at,
        updated_at=article.updated_at,
        translations=tuple(
            ArticleLink(title=t, slug=s, language=lang)
            for t, s, lang in others.order_by("language").values_list("title", "slug", "language")
        ),
    )


def public_article(*, slug: str, language: str) -> ArticleView | None:
    """The published public article with ``slug`` in ``language``; None when there is none."""
    article = (
        Article.objects.filter(_public(), slug=slug, language=language)
        .select_related("category")
        .first()
    )
    return _view(article, public_only=True) if article else None


def public_article_any_language(*, slug: str) -> ArticleView | None:
    """For links shared across languages: the public article with ``slug`` in any language."""
    article = (
        Article.objects.filter(_public(), slug=slug)
        .select_related("category")
        .order_by("language")
        .first()
    )
    return _view(article, public_only=True) if article else None


def published_article(*, article_id: int) -> ArticleView | None:
    """Any published article (public or internal) by id, e.g. for an agent's suggestion."""
    article = (
        Article.objects.filter(pk=article_id, status=ArticleStatus.PUBLISHED)
        .select_related("category")
        .first()
    )
    return _view(article, public_only=False) if article else None


def help_centre_index(*, language: str) -> list[tuple[CategoryView, tuple[ArticleLink, ...]]]:
    """Categories with their public articles in ``language``, in category order; categories
    without such articles are left out, articles without a category come last."""
    rows = (
        Article.objects.filter(_public(), language=language)
        .select_related("category")
        .order_by("category__position", "category__name_de", "title")
    )
    grouped: dict[str, tuple[Category | None, list[ArticleLink]]] = {}
    for article in rows:
        key = article.category.slug if article.category else ""
        grouped.setdefault(key, (article.category, []))[1].append(
            ArticleLink(title=article.title, slug=article.slug, language=article.language)
        )
    index: list[tuple[CategoryView, tuple[ArticleLink, ...]]] = []
    uncategorised: tuple[CategoryView, tuple[ArticleLink, ...]] | None = None
    for slug, (category, links) in grouped.items():
        name = category.name_for(language) if category else ""
        entry = (CategoryView(slug=slug, name=name, article_count=len(links)), tuple(links))
        if category is None:
            uncategorised = entry
        else:
            index.append(entry)
    if uncategorised is not None:
        index.append(uncategorised)
    return index
