"""Markdown → sanitised HTML and plain text for articles.

markdown-it-py with raw HTML switched off (``<script>`` typed into the editor becomes visible
text, not markup), then nh3 with an allow-list as a second wall: links only to http(s)/mailto,
``rel="noopener noreferrer nofollow"`` on every link.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")

# One parser per process: MarkdownIt instances are reusable and building one costs ~1 ms.
_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _demote_h1(rendered: str) -> str:
    # The page already has the article title as its <h1>: headings in the body start at <h2>.
    return re.sub(r"<(/?)h1>", r"<\1h2>", rendered)


def render(markdown: str) -> str:
    """Sanitised HTML for ``markdown``."""
    if not markdown.strip():
        return ""
    rendered = _demote_h1(_PARSER.render(markdown))
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(rendered_html: str) -> str:
    """The text of sanitised HTML without markup (for search, snippets and embeddings)."""
    # A table row becomes one line ("E101 · Hochdruckstörung · …"): a lone cell says nothing.
    rows = re.sub(r"</t[dh]>\s*<t[dh][^>]*>", " · ", rendered_html)
    spaced = re.sub(r"</(p|h\d|li|tr|pre|blockquote)>", "\n", rows)
    stripped = html.unescape(nh3.clean(spaced, tags=set()))
    lines = [_SPACES.sub(" ", line).strip() for line in stripped.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
