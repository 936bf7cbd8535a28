"""E-mail body clean-up: HTML to text, quoted replies and signatures removed.

The standard library's ``html.parser`` is forgiving with broken HTML (unclosed tags, stray ``</p>``)
and enough here: we need readable text with line structure, not a DOM.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "address", "dd", "dt",
    }
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """Readable text from (possibly broken) HTML; scripts/styles dropped, blocks on own lines."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    return _tidy("".join(parser.parts))


# A line that starts the quoted history of a reply.
_REPLY_HEADERS = re.compile(
    r"(?im)^[ \t]*(?:"
    r"-{2,}\s*(?:Ursprüngliche\s+Nachricht|Original\s+Message|Weitergeleitete\s+Nachricht|"
    r"Forwarded\s+message)\s*-{2,}"
    # Mail clients wrap long header lines once; a blank line ends the header.
    r"|Am\s+(?:[^\n]|\n(?![ \t]*\n)){3,250}?\s+schrieb\s+(?:[^\n:]|\n(?![ \t]*\n)){0,250}?:"
    r"|On\s+(?:[^\n]|\n(?![ \t]*\n)){3,250}?\s+wrote:"
    r"|(?:Von|From):\s.+\n(?:.*\n){0,3}?[ \t]*(?:Gesendet|Sent|Datum|Date):\s"
    r")"
)
_QUOTE_LINE = re.compile(r"^[ \t]*>")


def strip_quoted_reply(text: str) -> str:
    """The new part of a reply: quoted history after a reply header and "> " blocks removed."""
    m = _REPLY_HEADERS.search(text)
    if m:
        text = text[: m.start()]
    kept = [line for line in text.split("\n") if not _QUOTE_LINE.match(line)]
    return "\n".join(kept).rstrip()


_SIGNATURE_START = re.compile(
    r"(?im)^[ \t]*(?:"
    r"--[ \t]*$"
    r"|(?:mit\s+)?(?:freundlichen|besten|herzlichen|vielen|lieben|sonnigen)\s+grüßen?\b.*$"
    r"|(?:freundliche|viele|beste|liebe|herzliche|schöne)\s+grüße\b.*$"
    r"|mfg\b.*$"
    # "LG", "VG", "Gruß", "Grüße" alone or with one or two name words ("Gruß Peter")
    r"|(?:lg|vg|gru(?:ß|ss)|grü(?:ß|ss)e)\b[,.!]?(?:[ \t]+[^\W\d_][\w.-]*){0,2}[ \t]*[,.!]?[ \t]*$"
    r"|(?:best|kind|warm)\s+regards\b.*$|regards,?[ \t]*$|sincerely,?[ \t]*$|cheers,?[ \t]*$"
    r"|(?:sent\s+from\s+my|von\s+meinem)\s+(?:iphone|ipad|android|samsung|smartphone|mobil\w*)"
    r".*$"
    r"|get\s+outlook\s+for\s+\w+.*$"
    r")"
)


@dataclass(frozen=True, slots=True)
class SplitBody:
    body: str
    signature: str


def strip_signature(text: str) -> SplitBody:
    """Split off the signature: from the first closing formula or "-- " line to the end.

    Only the last 40 % of the text (and at most 25 lines from the end) are searched, so that a
    "Gruß" in the first sentence does not cut away the message.
    """
    lines = text.split("\n")
    earliest = max(0, len(lines) - 25, int(len(lines) * 0.4) if len(lines) > 5 else 0)
    offset = sum(len(line) + 1 for line in lines[:earliest])
    m = _SIGNATURE_START.search(text, offset)
    if not m:
        return SplitBody(body=text.rstrip(), signature="")
    return SplitBody(body=text[: m.start()].rstrip(), signature=text[m.start() :].strip())


def clean_email_body(text_or_html: str, *, is_html: bool) -> SplitBody:
    """The customer's own words of a mail: text, without quoted history, signature separate."""
    text = html_to_text(text_or_html) if is_html else _tidy(text_or_html)
    return strip_signature(strip_quoted_reply(text))
