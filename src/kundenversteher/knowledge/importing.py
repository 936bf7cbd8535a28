"""Reading article files: Markdown with optional front matter, and HTML pages.

Markdown front matter is a block of ``name: value`` lines between ``---`` lines at the top
(keys: key, language, title, category, visibility, status, slug). Without ``title`` the first
``# heading`` is the title; without ``key`` the file name is; a file called ``x.en.md`` is
English unless the front matter says otherwise.

HTML: nh3 removes scripts, styles and event handlers first, markdownify turns the rest into
Markdown (so imported articles are edited like any other); the title comes from ``<title>`` or the
first ``<h1>``, the language from ``<html lang>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nh3
from bs4 import BeautifulSoup
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdownify import markdownify

from kundenversteher.knowledge.errors import ImportFailed
from kundenversteher.knowledge.types import Language

FRONT_MATTER_KEYS = frozenset(
    {"key", "language", "title", "category", "visibility", "status", "slug"}
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n?", re.DOTALL)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    key: str
    language: str
    title: str
    body_markdown: str
    category: str = ""
    visibility: str = "public"
    status: str | None = None
    slug: str | None = None


def _stem_and_language(path: Path) -> tuple[str, str | None]:
    stem = path.name.rsplit(".", 1)[0]
    base, _dot, suffix = stem.rpartition(".")
    if base and suffix in {lang.value for lang in Language}:
        return base, suffix
    return stem, None


def _key_from(text: str) -> str:
    return slugify(text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss"))


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition(":")
        name = name.strip().lower()
        if not sep or name not in FRONT_MATTER_KEYS:
            raise ImportFailed(_("Unbekannte Kopfzeile: %(line)s") % {"line": line.strip()})
        meta[name] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def parse_markdown(text: str, *, path: Path) -> ParsedArticle:
    meta, body = parse_front_matter(text.replace("\r\n", "\n"))
    file_key, file_language = _stem_and_language(path)
    title = meta.get("title", "")
    if not title:
        h1 = _H1.search(body)
        if h1 is None:
            raise ImportFailed(_("Kein Titel: weder Kopfzeile „title“ noch Überschrift „# …“."))
        title = h1.group(1)
    # The title is shown above the body: a leading "# Title" would appear twice.
    h1 = _H1.match(body.lstrip("\n"))
    if h1 is not None and h1.group(1).strip() == title.strip():
        body = body.lstrip("\n")[h1.end() :]
    return ParsedArticle(
        key=meta.get("key") or _key_from(file_key),
        language=meta.get("language") or file_language or Language.DE.value,
        title=title.strip(),
        body_markdown=body.strip() + "\n",
        category=meta.get("category", ""),
        visibility=meta.get("visibility", "public"),
        status=meta.get("status") or None,
        slug=meta.get("slug") or None,
    )


def parse_html(text: str, *, path: Path) -> ParsedArticle:
    soup = BeautifulSoup(text, "html.parser")
    html_tag = soup.find("html")
    lang_attr = html_tag.get("lang") if html_tag is not None else None
    language = str(lang_attr or "").split("-")[0].lower() or None
    title = ""
    if soup.title is not None and soup.title.string:
        title = soup.title.string.strip()
    h1 = soup.find("h1")
    if not title and h1 is not None:
        title = h1.get_text(" ", strip=True)
    if not title:
        raise ImportFailed(_("Kein Titel: weder <title> noch <h1>."))
    body_tag = soup.body or soup
    if h1 is not None and h1.get_text(" ", strip=True) == title:
        h1.decompose()
    # nh3 drops <script>/<style> with their content and every event handler; markdownify then
    # sees only harmless markup.
    cleaned = nh3.clean(str(body_tag), url_schemes={"http", "https", "mailto"})
    body = markdownify(cleaned, heading_style="ATX", bullets="-", strip=["img"]).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    file_key, file_language = _stem_and_language(path)
    return ParsedArticle(
        key=_key_from(file_key),
        language=file_language or language or Language.DE.value,
        title=title,
        body_markdown=body + "\n",
    )


def parse_file(path: Path) -> ParsedArticle:
    """Read and parse one file; raises ImportFailed with a German reason."""
    suffix = path.suffix.lower()
    if suffix not in {".md", ".markdown", ".html", ".htm"}:
        raise ImportFailed(_("Dateityp nicht unterstützt (erlaubt: .md, .html)."))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImportFailed(_("Datei ist größer als 2 MB."))
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(_("Datei ist nicht UTF-8-kodiert.")) from exc
    except OSError as exc:
        raise ImportFailed(_("Datei nicht lesbar: %(error)s") % {"error": exc.strerror}) from exc
    if suffix in {".html", ".htm"}:
        return parse_html(text, path=path)
    return parse_markdown(text, path=path)
