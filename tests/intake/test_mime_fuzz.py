"""parse_message never raises: arbitrary bytes and randomly damaged real mails."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundenversteher.intake.mime import ParsedMail, parse_message
from tests.intake import corpus

SEEDS = [
    corpus.load(name)
    for name in ("bounce_dsn.eml", "dangerous_attachments.eml", "html_active_content.eml",
                 "nested_50_levels.eml", "broken_encoded_words.eml", "winmail_dat.eml")
]  # fmt: skip


ACTIVE_IN_TAG = re.compile(r"<[^>]*(?:javascript:|\bon[a-z]+\s*=)")


def _parse(raw: bytes) -> ParsedMail:
    return parse_message(raw, max_attachment_bytes=1024 * 1024, max_parts=50, max_depth=10)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(raw):
    mail = _parse(raw)
    assert isinstance(mail.problems, tuple)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=0, max_size=8)),
        min_size=1,
        max_size=6,
    ),
)
def test_damaged_real_mails_never_raise_and_keep_html_inert(seed, edits):
    raw = bytearray(seed)
    for position, replacement in edits:
        at = int(position * len(raw))
        raw[at : at + len(replacement) or at + 1] = replacement
    mail = _parse(bytes(raw))
    html = mail.html.casefold()
    assert "<script" not in html
    # Inside a tag only: escaped text ("&lt;a href=javascript:…") that shows the damaged
    # markup to the agent is inert.
    assert not ACTIVE_IN_TAG.search(html)
