"""The public help centre: categories, search and article pages (no login needed).

Only published public articles appear (knowledge.queries / knowledge.retrieval with audience
"public"). Language: ``?lang=de|en`` wins, otherwise the active language (LocaleMiddleware);
the page itself is then rendered in that language too. Search is rate-limited per client address
(``KV_HELP_SEARCH_PER_MINUTE``, default 30): each search embeds the query, which costs CPU.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.views.decorators.http import require_GET

from kundenversteher.knowledge import queries as knowledge_queries
from kundenversteher.knowledge.retrieval import search
from kundenversteher.portal.account import client_ip
from kundenversteher.portal.throttle import WindowLimit

LANGUAGES = ("de", "en")
MAX_QUERY_CHARS = 200
RESULTS = 10


def search_limit() -> WindowLimit:
    return WindowLimit(
        scope="help-search",
        max_hits=int(getattr(settings, "KV_HELP_SEARCH_PER_MINUTE", 30)),
        window_seconds=60,
    )


def _language(request: HttpRequest) -> tuple[str, bool]:
    """(language, explicitly asked via ?lang=)."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked, True
    active = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return (active if active in LANGUAGES else "de"), False


def _render(
    request: HttpRequest, template: str, context: dict[str, object], *, status: int = 200
) -> HttpResponse:
    language, explicit = _language(request)
    context = {"nav": "help", "help_language": language, "lang_param": explicit, **context}
    with translation.override(language):
        response = render(request, template, context, status=status)
        response.headers["Content-Language"] = language
    return response


@require_GET
def help_centre(request: HttpRequest) -> HttpResponse:
    language, _explicit = _language(request)
    index = knowledge_queries.help_centre_index(language=language)
    return _render(request, "portal/help/index.html", {"index": index})


@require_GET
def help_search(request: HttpRequest) -> HttpResponse:
    language, _explicit = _language(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    if not query:
        return _render(request, "portal/help/search.html", {"query": "", "hits": []})
    if not search_limit().hit(client_ip(request)):
        return _render(
            request, "portal/help/search.html", {"query": query, "throttled": True}, status=429
        )
    hits = search(query, language=language, audience="public", k=RESULTS)
    return _render(request, "portal/help/search.html", {"query": query, "hits": hits})


@require_GET
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    language, explicit = _language(request)
    article = knowledge_queries.public_article(slug=slug, language=language)
    if article is None:
        article = knowledge_queries.public_article_any_language(slug=slug)
        if article is None:
            raise Http404
        # A German link asked for in English (?lang=en): the English version when one exists.
        # Without ?lang the link shows what it points to; a shared link should not change.
        translated = next((t for t in article.translations if t.language == language), None)
        if translated is not None and explicit:
            target = f"{request.path.rsplit(slug, 1)[0]}{translated.slug}/"
            return redirect(f"{target}?lang={language}")
    with translation.override(article.language):
        response = render(
            request,
            "portal/help/article.html",
            {"nav": "help", "article": article, "help_language": article.language},
        )
        response.headers["Content-Language"] = article.language
    return response


urlpatterns: list[URLPattern] = [
    path("hilfe/", help_centre, name="help"),
    path("hilfe/suche/", help_search, name="help_search"),
    path("hilfe/<slug:slug>/", help_article, name="help_article"),
]
