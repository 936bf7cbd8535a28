"""Reply suggestions for agents: the automation's draft, answers of similar resolved cases and
matching knowledge articles, ranked together, each ready to insert with one click.

Sources
  1. *draft*: the draft of this case's latest automation decision when nothing was sent — action
     "suggest", or "auto_answer" in shadow mode. It was composed for this very case with live
     CRM/ERP data, so it gets the top score ``DRAFT_SCORE`` (1.0).
  2. *similar_case*: the agents' first answer (outbound, not sent by the automation, not a note)
     of the most recent ``CANDIDATE_CASES`` resolved or closed cases the user may see, with the
     same intent and language as this case, newest first by id (see ``_candidate_ids`` for the
     query plans on a million cases).
  3. *article*: knowledge articles from ``knowledge.retrieval.search(..., audience="internal")``
     (agents may see internal articles), title and snippet.

Scoring (one scale for sources 2 and 3): TF-IDF cosine between this case's latest customer text
and each candidate — the other case's first customer text (question against question: "the
customer asked the same thing") or the article's title and snippet. The vectoriser is fitted per
request on exactly these texts (words and word pairs, sublinear term frequency; the idf of a few
hundred same-intent texts pushes down what all of them share, e.g. greetings). Similar cases below
``MIN_SIMILARITY`` are dropped; near-identical answers (the same template with another greeting)
are merged, the best score kept. The list is sorted by score, but the best article is kept in the
list even when similar cases outscore it (an article often explains what a one-off answer does
not).

Measured on the small demo data (301 texts, shared 2-core machine, load 3): word 1–2-grams 30 ms,
character 3–5-grams 280 ms (better on German compounds, too slow per request), USE sentence
embeddings 360 ms for just 45 texts — nothing stores vectors for cases, so they would be computed
per request. Hence word TF-IDF.

Privacy: an answer from another customer's case is never inserted verbatim. The greeting names
the current customer (or ``[Name]``), the other agent's name in the signature becomes the
current agent's, and the other customer's personal data (names, e-mail, phone, IBAN, customer,
order, contract, invoice, device and case numbers, dates, amounts, addresses, long reference
numbers such as tracking numbers) become bracketed placeholders the agent fills in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Subquery
from django.utils.translation import gettext as _

from kundenversteher.cases.access import UserLike
from kundenversteher.cases.errors import CaseNotFound
from kundenversteher.cases.models import Case, Message
from kundenversteher.cases.states import Status
from kundenversteher.intelligence.entities import extract_entities
from kundenversteher.intelligence.pii import find_pii
from kundenversteher.intelligence.types import EntityKind
from kundenversteher.knowledge import retrieval
from kundenversteher.knowledge.automation import queries as automation_queries
from kundenversteher.knowledge.suggestion_types import ReplySuggestion

CANDIDATE_CASES = 300
MIN_SIMILARITY = 0.1
ARTICLES_K = 3
DRAFT_SCORE = 1.0
# Near-duplicates are looked for among this many best similar cases.
DEDUPLICATE_WINDOW = 40
NEAR_DUPLICATE = 0.8  # duplicates measured 0.82-0.86, distinct answers up to 0.70
# Long texts say nothing more about "is it the same question" and cost vectoriser time.
TEXT_CHARS = 1500

_RESOLVED = [Status.RESOLVED.value, Status.CLOSED.value]


# --- automation (knowledge.automation, K3) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionReason:
    code: str
    text: str  # in the active language (German or English)


@dataclass(frozen=True, slots=True)
class DecisionOverview:
    """The case's latest automation decision and which outbound messages the automation sent.

    Read in one query (``decisions_of_case``: one decision per inbound message, a handful) so the
    case view's badge costs no query per message.
    """

    decision_id: int | None
    action: str
    shadow: bool
    intent: str
    confidence: float | None
    threshold: float | None
    reasons: tuple[DecisionReason, ...]
    sent_message_id: int | None
    auto_sent_message_ids: frozenset[int]


def _reason_text(reason: Mapping[str, Any], language: str) -> str:
    preferred = "en" if language.startswith("en") else "de"
    return str(reason.get(preferred) or reason.get("de") or reason.get("en") or "")


def decision_overview(*, case_id: int, language: str = "de") -> DecisionOverview | None:
    """The latest decision of the case (None without any) and the ids of all messages the
    automation sent in it; ``language`` picks the reasons' language (de or en)."""
    decisions = automation_queries.decisions_of_case(case_id=case_id)  # oldest first
    if not decisions:
        return None
    latest = decisions[-1]
    return DecisionOverview(
        decision_id=latest.id,
        action=latest.action,
        shadow=latest.shadow,
        intent=latest.intent,
        confidence=latest.confidence,
        threshold=latest.threshold,
        reasons=tuple(
            DecisionReason(code=str(r.get("code", "")), text=_reason_text(r, language))
            for r in latest.reasons
        ),
        sent_message_id=latest.sent_message_id,
        auto_sent_message_ids=frozenset(
            d.sent_message_id for d in decisions if d.sent_message_id is not None
        ),
    )


def _draft(case_id: int, language: str) -> ReplySuggestion | None:
    latest = automation_queries.latest_decision_view(case_id=case_id)
    if latest is None or latest.sent_message_id is not None or not latest.draft_body:
        return None
    if latest.action != "suggest" and not (latest.action == "auto_answer" and latest.shadow):
        return None
    return ReplySuggestion(
        kind="draft",
        title=latest.draft_subject or _("Entwurf der Automatik"),
        body=latest.draft_body,
        score=DRAFT_SCORE,
        source_label=_("Entwurf der Automatik (mit aktuellen Kundendaten)"),
        language=language,
    )


# --- articles (knowledge.retrieval, K1) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ArticleCandidate:
    title: str
    slug: str
    snippet: str
    language: str


def _articles(query: str, language: str) -> list[_ArticleCandidate]:
    # Agents may see internal articles too.
    hits = retrieval.search(query, language=language, audience="internal", k=ARTICLES_K)
    return [
        _ArticleCandidate(title=h.title, slug=h.slug, snippet=h.snippet, language=h.language)
        for h in hits
    ]


# --- similar resolved cases ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CaseCandidate:
    case_id: int
    number: str
    subject: str
    question: str
    answer: str
    agent_label: str
    customer_names: tuple[str, ...]


def _candidate_ids(case: Case, user: UserLike) -> Any:
    """The most recent resolved/closed same-intent, same-language cases the user may see.

    A subquery (not a list): the message query below uses it directly, one round trip. "Most
    recent" is by id (ids grow as cases are filed), not by ``created_at``: the primary key walks
    backwards without a sort. Measured on 1 000 000 cases: SQLite uses the ``intent`` index in
    rowid order (464 → 12 ms against ``created_at``, which sorted every case of the intent);
    PostgreSQL walks ``cases_case_pkey`` backwards and filters about 25 rows per hit (182 → 31 ms
    under load 7; 7 158 rows filtered for 300). A partial index
    ``(intent, language, id) WHERE status IN ('resolved', 'closed')`` would read just the 300.
    """
    candidates = (
        Case.objects.visible_to(user)
        .filter(status__in=_RESOLVED, language=case.language)
        .exclude(pk=case.pk)
    )
    if case.intent:
        candidates = candidates.filter(intent=case.intent)
    return candidates.order_by("-id").values("pk")[:CANDIDATE_CASES]


def _similar_case_candidates(case: Case, user: UserLike) -> list[_CaseCandidate]:
    messages = Message.objects.filter(
        case_id__in=Subquery(_candidate_ids(case, user)),
        direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND],
        # Automatic answers are not agents' answers: they would only echo the templates.
        automatic_answer__isnull=True,
    )
    rows = messages.order_by("case_id", "created_at", "id").values_list(
        "case_id",
        "direction",
        "body_text",
        "author_label",
        "case__number",
        "case__subject",
        "case__customer__first_name",
        "case__customer__last_name",
    )
    questions: dict[int, str] = {}
    answers: dict[int, tuple[str, str]] = {}
    meta: dict[int, tuple[str, str, tuple[str, ...]]] = {}
    for case_id, direction, body, author, number, subject, first, last in rows:
        if direction == Message.Direction.INBOUND:
            questions.setdefault(case_id, body)
        elif case_id in questions and body.strip():
            answers.setdefault(case_id, (body, author))
        meta.setdefault(case_id, (number, subject, tuple(n for n in (first, last) if n)))
    return [
        _CaseCandidate(
            case_id=case_id,
            number=meta[case_id][0],
            subject=meta[case_id][1],
            question=questions[case_id],
            answer=answer,
            agent_label=agent,
            customer_names=meta[case_id][2],
        )
        for case_id, (answer, agent) in answers.items()
    ]


# --- ranking ---------------------------------------------------------------------------------


def similarity(query: str, documents: Sequence[str]) -> list[float]:
    """TF-IDF cosine of each document to ``query``, fitted on these texts only (0..1)."""
    if not documents or not query.strip():
        return [0.0] * len(documents)
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
    try:
        matrix = vectoriser.fit_transform(
            [query[:TEXT_CHARS], *(d[:TEXT_CHARS] for d in documents)]
        )
    except ValueError:  # nothing but blanks and punctuation: no n-grams at all
        return [0.0] * len(documents)
    # Rows are L2-normalised by the vectoriser: the dot product is the cosine.
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    return [float(s) for s in np.clip(scores, 0.0, 1.0)]


def distinct(texts: Sequence[str], *, threshold: float, limit: int) -> set[int]:
    """Indexes of ``texts`` (best first) kept when each must differ from every kept one: TF-IDF
    cosine of their :func:`core` below ``threshold``. The idf is fitted on these texts, so what
    every answer shares (a thank-you sentence) weighs little and the substance decides."""
    if not texts:
        return set()
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer(sublinear_tf=True).fit_transform([core(t) for t in texts])
    except ValueError:
        return {0}
    pairwise = (matrix @ matrix.T).toarray()
    kept: list[int] = []
    for index in range(len(texts)):
        if all(pairwise[index, other] < threshold for other in kept):
            kept.append(index)
            if len(kept) >= limit:
                break
    return set(kept)


def _latest_customer_text(case: Case) -> str:
    text = (
        Message.objects.filter(case_id=case.pk, direction=Message.Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("body_text", flat=True)
        .first()
    )
    return f"{case.subject}\n{text or ''}".strip()


def _agent_name(user: UserLike) -> str:
    if isinstance(user, AbstractBaseUser):
        full = getattr(user, "get_full_name", lambda: "")()
        return str(full or user.get_username())
    return ""


def _customer_names(case: Case) -> tuple[str, str]:
    customer = case.customer if case.customer_id is not None else None
    if customer is None:
        return "", ""
    return customer.first_name, f"{customer.first_name} {customer.last_name}".strip()


def suggest_replies(*, case_id: int, user: UserLike, limit: int = 6) -> list[ReplySuggestion]:
    """Ranked reply suggestions for the case (raises ``CaseNotFound`` if the user may not see
    it): at most ``limit``, best first; see the module docstring for sources and scoring."""
    case = (
        Case.objects.visible_to(user)
        .select_related("customer")
        .filter(pk=case_id)
        .only(
            "pk",
            "subject",
            "intent",
            "language",
            "customer__first_name",
            "customer__last_name",
        )
        .first()
    )
    if case is None:
        raise CaseNotFound(_("Anliegen nicht gefunden."))
    language = case.language or "de"
    query = _latest_customer_text(case)
    draft = _draft(case.pk, language)
    cases = _similar_case_candidates(case, user)
    articles = _articles(query, language)
    scores = similarity(
        query, [c.question for c in cases] + [f"{a.title}\n{a.snippet}" for a in articles]
    )
    case_scores, article_scores = scores[: len(cases)], scores[len(cases) :]

    agent = _agent_name(user)
    first_name, full_name = _customer_names(case)
    ranked_cases = sorted(
        (pair for pair in zip(cases, case_scores, strict=True) if pair[1] >= MIN_SIMILARITY),
        key=lambda pair: (-pair[1], -pair[0].case_id),
    )[:DEDUPLICATE_WINDOW]
    # Duplicates are found on the raw answers (greeting, closing and digits do not count), so
    # only the kept few are anonymised: that is the expensive step (entity and PII scan).
    keep = distinct(
        [candidate.answer for candidate, _score in ranked_cases],
        threshold=NEAR_DUPLICATE,
        limit=limit,
    )
    similar = []
    for index in sorted(keep):
        candidate, score = ranked_cases[index]
        body, placeholders = anonymise_answer(
            candidate.answer,
            language=language,
            other_agent=candidate.agent_label,
            agent=agent,
            other_customer_names=candidate.customer_names,
            customer_first_name=first_name,
            customer_full_name=full_name,
        )
        similar.append(
            ReplySuggestion(
                kind="similar_case",
                title=candidate.subject,
                body=body,
                score=round(score, 4),
                source_label=_("Antwort in %(number)s") % {"number": candidate.number},
                language=language,
                case_number=candidate.number,
                placeholders=placeholders,
            )
        )

    article_suggestions = [
        ReplySuggestion(
            kind="article",
            title=a.title,
            body=a.snippet,
            score=round(score, 4),
            source_label=_("Wissensartikel"),
            language=a.language,
            article_slug=a.slug,
        )
        for a, score in zip(articles, article_scores, strict=True)
    ]
    return rank(draft=draft, similar=similar, articles=article_suggestions, limit=limit)


def rank(
    *,
    draft: ReplySuggestion | None,
    similar: Sequence[ReplySuggestion],
    articles: Sequence[ReplySuggestion],
    limit: int,
) -> list[ReplySuggestion]:
    """Best first by score; the draft leads, the best article always makes the list."""
    if limit <= 0:
        return []
    pool = sorted([*similar, *articles], key=lambda s: -s.score)
    head = [draft] if draft is not None else []
    chosen = (head + pool)[:limit]
    best_article = max(articles, key=lambda s: s.score, default=None)
    if best_article is not None and best_article not in chosen and len(chosen) > len(head):
        chosen[-1] = best_article
        chosen = head + sorted(chosen[len(head) :], key=lambda s: -s.score)
    return chosen


# --- anonymising another customer's answer ---------------------------------------------------

_PLACEHOLDERS: dict[str, dict[str, str]] = {
    "de": {
        "PERSON": "[Name]",
        "EMAIL": "[E-Mail]",
        "PHONE": "[Telefon]",
        "IBAN": "[IBAN]",
        "CUSTOMER_NUMBER": "[Kundennummer]",
        "ADDRESS": "[Adresse]",
        "POSTCODE": "[PLZ Ort]",
        "CREDIT_CARD": "[Kartennummer]",
        "TAX_ID": "[Steuer-ID]",
        EntityKind.ORDER_NUMBER: "[Bestellnummer]",
        EntityKind.CONTRACT_NUMBER: "[Vertragsnummer]",
        EntityKind.INVOICE_NUMBER: "[Rechnungsnummer]",
        EntityKind.DEVICE_SERIAL: "[Seriennummer]",
        EntityKind.CASE_NUMBER: "[Vorgangsnummer]",
        EntityKind.DATE: "[Datum]",
        EntityKind.AMOUNT: "[Betrag]",
        "REFERENCE": "[Nummer]",
    },
    "en": {
        "PERSON": "[name]",
        "EMAIL": "[e-mail]",
        "PHONE": "[phone]",
        "IBAN": "[IBAN]",
        "CUSTOMER_NUMBER": "[customer number]",
        "ADDRESS": "[address]",
        "POSTCODE": "[postcode city]",
        "CREDIT_CARD": "[card number]",
        "TAX_ID": "[tax id]",
        EntityKind.ORDER_NUMBER: "[order number]",
        EntityKind.CONTRACT_NUMBER: "[contract number]",
        EntityKind.INVOICE_NUMBER: "[invoice number]",
        EntityKind.DEVICE_SERIAL: "[serial number]",
        EntityKind.CASE_NUMBER: "[case number]",
        EntityKind.DATE: "[date]",
        EntityKind.AMOUNT: "[amount]",
        "REFERENCE": "[number]",
    },
}
_ENTITY_KINDS = frozenset(
    {
        EntityKind.ORDER_NUMBER,
        EntityKind.CONTRACT_NUMBER,
        EntityKind.INVOICE_NUMBER,
        EntityKind.DEVICE_SERIAL,
        EntityKind.CASE_NUMBER,
        EntityKind.DATE,
        EntityKind.AMOUNT,
    }
)
_GREETING = re.compile(
    r"^(?P<salutation>sehr\s+geehrte(?:/r|r)?|guten\s+tag|hallo|liebe[r]?|moin|servus|hi|hey|"
    r"hello|dear|good\s+(?:morning|afternoon|evening))"
    r"[ \t]+(?P<name>[^,!\n]{1,80}?)[ \t]*[,!]?[ \t]*$",
    re.IGNORECASE,
)
_INFORMAL = ("hallo", "liebe", "moin", "servus", "hi", "hey", "hello")
_NO_NAME = ("damen und herren", "sir or madam", "sir/madam", "kundin", "kunde", "customer")
_CLOSING = re.compile(
    r"(?im)^[ \t]*(?:mit\s+freundlichen\s+grüßen|freundliche\s+grüße|viele\s+grüße|beste\s+grüße|"
    r"liebe\s+grüße|herzliche\s+grüße|schöne\s+grüße|gruß|grüße|mfg|best\s+regards|"
    r"kind\s+regards|regards|best\s+wishes|sincerely|yours\s+sincerely)[ \t]*[,!.]?[ \t]*$"
)
_MONTH = re.compile(
    r"(?i)(?<!\w)(?:januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|"
    r"november|dezember|january|february|march|may|june|july|october|december)(?!\w)"
)
# Tracking, parcel and other reference numbers: 8+ letters/digits with at least 6 digits.
_REFERENCE = re.compile(r"(?<![\w-])(?=(?:[A-Z-]*\d){6})[A-Z0-9][A-Z0-9-]{7,}(?![\w-])")


def _greeting_span(text: str) -> tuple[int, int, int, str] | None:
    """(salutation start, name start, name end, salutation) when the first line greets someone
    by name."""
    offset = len(text) - len(text.lstrip())
    line = text[offset:].split("\n", 1)[0]
    match = _GREETING.match(line)
    if match is None:
        return None
    name = match.group("name").strip()
    if not name or name.lower().startswith(_NO_NAME):
        return None
    return (
        offset + match.start("salutation"),
        offset + match.start("name"),
        offset + match.end("name"),
        match.group("salutation"),
    )


def core(text: str) -> str:
    """The answer without its greeting line, closing formula and signature; words with digits
    (numbers, dates, tracking ids) and month names become 0."""
    body = text.strip()
    if _greeting_span(body) is not None:
        body = body.split("\n", 1)[1] if "\n" in body else ""
    closing = _CLOSING.search(body)
    body = body[: closing.start()] if closing else body
    body = _MONTH.sub("0", body)
    return re.sub(r"[^\s.,;:]*\d[^\s.,;:]*", "0", body).strip()


def _occurrences(text: str, needle: str) -> Iterable[tuple[int, int]]:
    if len(needle) < 3:
        return
    for match in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text):
        yield match.start(), match.end()


def anonymise_answer(
    text: str,
    *,
    language: str,
    other_agent: str,
    agent: str,
    other_customer_names: Sequence[str],
    customer_first_name: str = "",
    customer_full_name: str = "",
) -> tuple[str, tuple[str, ...]]:
    """``text`` (an answer in another customer's case) made fit for this case, and the
    placeholders left in it for the agent, in order of first appearance."""
    labels = _PLACEHOLDERS["en" if language.startswith("en") else "de"]
    # (start, end, priority, replacement): lower priority wins where spans overlap equally.
    edits: list[tuple[int, int, int, str]] = []
    greeting = _greeting_span(text)
    if greeting is not None:
        salutation_start, start, end, salutation = greeting
        informal = salutation.lower().startswith(_INFORMAL)
        name = (customer_first_name if informal else customer_full_name) or customer_full_name
        name = name or labels["PERSON"]
        if salutation.lower().startswith("sehr"):
            # "Sehr geehrte/r" agrees with the other customer's gender: a neutral greeting fits
            # whoever this customer is.
            edits.append((salutation_start, end, 0, f"Guten Tag {name}"))
        else:
            edits.append((start, end, 0, name))
    if other_agent.strip():
        replacement = agent or labels["PERSON"]
        edits += [(s, e, 1, replacement) for s, e in _occurrences(text, other_agent.strip())]
    for name in other_customer_names:
        edits += [(s, e, 2, labels["PERSON"]) for s, e in _occurrences(text, name)]
    entities = extract_entities(text)
    edits += [(e.start, e.end, 3, labels[e.kind]) for e in entities if e.kind in _ENTITY_KINDS]
    edits += [
        (span.start, span.end, 4, labels.get(span.kind, labels["PERSON"]))
        for span in find_pii(text, entities=entities)
    ]
    edits += [(m.start(), m.end(), 5, labels["REFERENCE"]) for m in _REFERENCE.finditer(text)]

    parts: list[str] = []
    placeholders: list[str] = []
    position = 0
    placeholder_values = sorted(set(labels.values()))
    for start, end, _priority, replacement in sorted(
        edits, key=lambda edit: (edit[0], -(edit[1] - edit[0]), edit[2])
    ):
        if start < position or end <= start:
            continue  # overlaps an edit already made
        parts.append(text[position:start])
        parts.append(replacement)
        placeholders += [
            value
            for value in placeholder_values
            if value in replacement and value not in placeholders
        ]
        position = end
    parts.append(text[position:])
    return "".join(parts), tuple(placeholders)
