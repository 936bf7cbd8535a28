from __future__ import annotations

import pytest

from kundenversteher.events.models import Event
from kundenversteher.knowledge.errors import ArticleNotFound, InvalidArticle
from kundenversteher.knowledge.models import Article, ArticleVersion
from kundenversteher.knowledge.services import archive_article, publish_article
from kundenversteher.lib.models import AppendOnlyError
from tests.cases.factories import make_user
from tests.knowledge.articles.factories import make_article

pytestmark = pytest.mark.django_db


def test_every_changed_save_adds_a_version() -> None:
    editor = make_user("erika")
    first = make_article(body="Erste Fassung.\n", by=editor)
    second = make_article(body="Zweite Fassung.\n", by=editor)

    assert second.pk == first.pk
    assert second.version == 2
    versions = list(ArticleVersion.objects.filter(article=first).order_by("number"))
    assert [(v.number, v.body_markdown) for v in versions] == [
        (1, "Erste Fassung.\n"),
        (2, "Zweite Fassung.\n"),
    ]
    assert versions[1].created_by == editor
    assert Article.objects.get(pk=first.pk).updated_by == editor


def test_saving_unchanged_content_adds_no_version_and_no_event() -> None:
    make_article()
    make_article()

    assert ArticleVersion.objects.count() == 1
    assert Event.objects.filter(kind="knowledge.article_saved").count() == 1


def test_versions_cannot_be_edited() -> None:
    version = ArticleVersion.objects.get(article=make_article())

    version.title = "Geschichte umschreiben"
    with pytest.raises(AppendOnlyError):
        version.save()


def test_script_tags_and_javascript_links_never_reach_the_html() -> None:
    article = make_article(
        body=(
            "Hallo <script>alert('x')</script> Welt\n\n"
            '<img src=x onerror="alert(1)">\n\n'
            "[klick](javascript:alert(1)) und [Hilfe](https://brenner.example/hilfe)\n"
        )
    )

    assert "<script" not in article.body_html
    assert "<img" not in article.body_html
    assert 'href="javascript' not in article.body_html
    assert (
        '<a href="https://brenner.example/hilfe" rel="noopener noreferrer nofollow">Hilfe</a>'
        in article.body_html
    )


def test_markdown_renders_headings_lists_and_tables_below_the_page_title() -> None:
    article = make_article(
        body="# Abschnitt\n\n- eins\n- zwei\n\n"
        "| Code | Bedeutung |\n|---|---|\n| E101 | Hochdruck |\n"
    )

    assert "<h2>Abschnitt</h2>" in article.body_html
    assert "<li>eins</li>" in article.body_html
    assert "<td>E101</td>" in article.body_html
    assert "E101 · Hochdruck" in article.body_text.splitlines()
    assert "<h1>" not in article.body_html


def test_save_records_an_event_and_enqueues_the_reindex_after_commit(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        article = make_article()

    assert len(callbacks) == 1
    event = Event.objects.get(kind="knowledge.article_saved")
    assert (event.subject_type, event.subject_id) == ("knowledge.article", str(article.pk))
    assert event.payload == {
        "translation_key": "heizung-entlueften",
        "language": "de",
        "version": 1,
        "created": True,
        "visibility": "public",
        "status": "published",
    }
    assert article.status == "published"
    assert article.published_at is not None


def test_slug_is_transliterated_and_made_unique_per_language() -> None:
    first = make_article("a-key", title="Türen öffnen")
    second = make_article("b-key", title="Türen öffnen")
    english = make_article("a-key", language="en", title="Türen öffnen")

    assert (first.slug, second.slug, english.slug) == (
        "tueren-oeffnen",
        "tueren-oeffnen-2",
        "tueren-oeffnen",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("language", "fr"), ("title", "  "), ("visibility", "secret"), ("key", "Groß Buchstaben")],
)
def test_invalid_input_is_refused_and_nothing_is_stored(field: str, value: str) -> None:
    kwargs = {"language": "de", "title": "Titel", "visibility": "public", "key": "gueltig"}
    kwargs[field] = value
    key = kwargs.pop("key")

    with pytest.raises(InvalidArticle):
        make_article(key, **kwargs)  # type: ignore[arg-type]
    assert Article.objects.count() == 0


def test_archive_and_publish_change_status_and_record_events() -> None:
    article = make_article(status="draft")
    assert article.published_at is None

    published = publish_article(article_id=article.pk)
    archived = archive_article(article_id=article.pk)

    assert published.published_at is not None
    assert archived.status == "archived"
    assert list(
        Event.objects.filter(kind__startswith="knowledge.article_")
        .order_by("id")
        .values_list("kind", flat=True)
    ) == ["knowledge.article_saved", "knowledge.article_published", "knowledge.article_archived"]
    assert ArticleVersion.objects.filter(article=article).count() == 1


def test_publishing_a_missing_article_raises() -> None:
    with pytest.raises(ArticleNotFound):
        publish_article(article_id=999)


def test_an_existing_article_keeps_its_status_and_slug_when_saved_without_them() -> None:
    make_article(status="draft")
    again = make_article(title="Heizkörper entlüften", body="Neu.\n")

    assert again.status == "draft"
    assert again.slug == "heizung-entlueften"
    assert again.title == "Heizkörper entlüften"
