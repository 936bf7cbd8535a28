"""The admin's article editor writes through the service (versions, events) and previews
Markdown as the help centre will show it."""

from __future__ import annotations

import pytest
from django.test import Client

from kundenversteher.knowledge.models import Article, ArticleVersion
from kundenversteher.privacy.models import AuditEntry
from tests.cases.factories import make_agent, make_user
from tests.knowledge.articles.factories import make_article

pytestmark = pytest.mark.django_db

FORM = {
    "translation_key": "heizung-entlueften",
    "language": "de",
    "title": "Heizung entlüften",
    "slug": "",
    "category": "",
    "visibility": "public",
    "status": "published",
    "body_markdown": "Luft raus.\n",
    "versions-TOTAL_FORMS": "0",
    "versions-INITIAL_FORMS": "0",
    "versions-MIN_NUM_FORMS": "0",
    "versions-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_user("admin", is_superuser=True))
    return client


def test_adding_an_article_in_the_admin_creates_version_one(admin_client: Client) -> None:
    response = admin_client.post("/admin/knowledge/article/add/", FORM)

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.slug, article.version, article.body_html) == (
        "heizung-entlueften",
        1,
        "<p>Luft raus.</p>\n",
    )
    assert AuditEntry.objects.filter(model="knowledge.article", action="add").count() == 1


def test_editing_in_the_admin_adds_a_version(admin_client: Client) -> None:
    article = make_article()
    form = {**FORM, "body_markdown": "Neu: erst Pumpe aus.\n", "versions-INITIAL_FORMS": "1"}
    form |= {"versions-TOTAL_FORMS": "1", "versions-0-id": str(ArticleVersion.objects.get().pk)}
    form["versions-0-article"] = str(article.pk)

    response = admin_client.post(f"/admin/knowledge/article/{article.pk}/change/", form)

    assert response.status_code == 302
    assert list(ArticleVersion.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]
    assert Article.objects.get().body_markdown == "Neu: erst Pumpe aus."


def test_adding_a_duplicate_key_and_language_is_refused(admin_client: Client) -> None:
    make_article()

    response = admin_client.post("/admin/knowledge/article/add/", FORM)

    assert response.status_code == 200
    assert "gibt es in dieser Sprache schon" in response.content.decode()
    assert ArticleVersion.objects.count() == 1


def test_editor_page_has_the_preview_and_the_script(admin_client: Client) -> None:
    article = make_article()

    html = admin_client.get(f"/admin/knowledge/article/{article.pk}/change/").content.decode()

    assert 'id="kb-preview"' in html
    assert 'data-preview-url="/admin/knowledge/article/preview/"' in html
    assert "knowledge/article_preview.js" in html


def test_preview_renders_sanitised_html(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/knowledge/article/preview/",
        {"body_markdown": "**fett** <script>alert(1)</script>"},
    )

    assert response.status_code == 200
    assert response.content.decode() == (
        "<p><strong>fett</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


def test_preview_is_for_staff_only(client: Client) -> None:
    client.force_login(make_agent("anna", teams=[]))

    response = client.post("/admin/knowledge/article/preview/", {"body_markdown": "x"})

    assert response.status_code in {302, 403}
    assert b"<p>x</p>" not in response.content
