"""suggest_replies: sources, visibility, ranking and the anonymised answers of other cases."""

from __future__ import annotations

import pytest

from kundenversteher.cases.errors import CaseNotFound
from kundenversteher.knowledge.suggestion_types import ReplySuggestion
from kundenversteher.knowledge.suggestions import decision_overview, rank, suggest_replies
from tests.cases.factories import make_personas
from tests.customers.factories import make_customer
from tests.knowledge.articles.factories import BLEEDING_DE, make_article
from tests.knowledge.suggestions.factories import make_decision, make_resolved_case
from tests.workspace.case_view_factories import make_inbound_case

QUESTION = "Guten Tag, wo bleibt meine Bestellung 4711? Sie ist seit einer Woche nicht da."
OTHER_QUESTION = "Hallo, wo bleibt meine Bestellung 5123? Ich warte schon seit Tagen darauf."
ANSWER = (
    "Hallo Olga,\n\nIhre Bestellung 5123 wurde am 25.11.2026 versendet. Die Sendungsnummer "
    "lautet 00340434628261674470.\n\nViele Grüße\nBen Koch\nIhr Brenner-Serviceteam"
)


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return make_personas()


def _current_case(people, **kwargs):  # type: ignore[no-untyped-def]
    clara = make_customer("Schmidt", first_name="Clara")
    return make_inbound_case(
        customer=clara, team=people.service, body_text=QUESTION, subject="Bestellung 4711", **kwargs
    )


def test_answer_of_a_similar_resolved_case_is_suggested_without_the_other_customers_data(people):
    other = make_resolved_case(
        question=OTHER_QUESTION,
        answer=ANSWER,
        agent=people.ben,
        author_label="Ben Koch",
        customer=people.other_customer,
        team=people.service,
    )
    case = _current_case(people)

    suggestions = suggest_replies(case_id=case.pk, user=people.anna)

    assert [(s.kind, s.case_number) for s in suggestions] == [("similar_case", other.number)]
    suggestion = suggestions[0]
    assert suggestion.body == (
        "Hallo Clara,\n\nIhre Bestellung [Bestellnummer] wurde am [Datum] versendet. Die "
        "Sendungsnummer lautet [Nummer].\n\nViele Grüße\nAnna\nIhr Brenner-Serviceteam"
    )
    assert suggestion.placeholders == ("[Bestellnummer]", "[Datum]", "[Nummer]")
    assert suggestion.source_label == f"Antwort in {other.number}"
    assert suggestion.title == "Frage zur Bestellung"
    assert 0.1 <= suggestion.score <= 1.0


def test_only_resolved_or_closed_cases_of_the_same_intent_and_language_are_used(people):
    closed = make_resolved_case(
        question=OTHER_QUESTION, answer="Antwort geschlossen", agent=people.anna, status="closed"
    )
    make_resolved_case(
        question=OTHER_QUESTION, answer="Antwort offen", agent=people.anna, status="open"
    )
    make_resolved_case(
        question=OTHER_QUESTION, answer="Antwort andere Art", agent=people.anna, intent="complaint"
    )
    make_resolved_case(
        question=OTHER_QUESTION, answer="Answer in English", agent=people.anna, language="en"
    )
    case = _current_case(people)

    suggestions = suggest_replies(case_id=case.pk, user=people.anna)

    assert [(s.case_number, s.body) for s in suggestions] == [
        (closed.number, "Antwort geschlossen")
    ]


def test_cases_the_agent_may_not_see_are_not_used(people):
    secret = make_resolved_case(
        question=OTHER_QUESTION,
        answer="Antwort aus der Buchhaltung",
        agent=people.ben,
        team=people.buchhaltung,
    )
    case = _current_case(people)

    assert suggest_replies(case_id=case.pk, user=people.anna) == []
    # Ben is in the restricted team and sees the case (and Anna's case, unrestricted team).
    assert [s.case_number for s in suggest_replies(case_id=case.pk, user=people.ben)] == [
        secret.number
    ]


def test_a_case_the_user_may_not_see_raises_not_found(people):
    case = make_inbound_case(team=people.buchhaltung, body_text=QUESTION)

    with pytest.raises(CaseNotFound):
        suggest_replies(case_id=case.pk, user=people.anna)
    with pytest.raises(CaseNotFound):
        suggest_replies(case_id=case.pk, user=people.clara)


def test_automatic_answers_are_not_offered_as_agents_answers(people):
    answered = make_resolved_case(
        question=OTHER_QUESTION, answer="Automatische Antwort: versendet.", agent=None
    )
    make_decision(
        answered, action="auto_answer", sent_message=answered.messages.get(direction="outbound")
    )
    case = _current_case(people)

    assert suggest_replies(case_id=case.pk, user=people.anna) == []


def test_the_more_similar_question_ranks_first(people):
    near = make_resolved_case(
        question="Wo bleibt meine Bestellung? Sie ist seit einer Woche nicht da.",
        answer="Antwort A: Die Bestellung ist unterwegs.",
        agent=people.anna,
    )
    far = make_resolved_case(
        question="Guten Tag, meine Bestellung für den Heizkessel ist noch nicht da.",
        answer="Antwort B: Der Kessel wird geliefert.",
        agent=people.anna,
    )
    case = _current_case(people)

    suggestions = suggest_replies(case_id=case.pk, user=people.anna)

    assert [s.case_number for s in suggestions] == [near.number, far.number]
    assert suggestions[0].score > suggestions[1].score


def test_the_same_template_answer_from_several_cases_is_offered_once(people):
    best = make_resolved_case(
        question=QUESTION,
        answer="Hallo Olga,\n\nIhre Bestellung 5123 ist unterwegs.\n\nViele Grüße\nBen",
        agent=people.ben,
    )
    make_resolved_case(
        question=OTHER_QUESTION,
        answer="Guten Tag Max Muster,\n\nIhre Bestellung 777 ist unterwegs.\n\nMit freundlichen "
        "Grüßen\nBen",
        agent=people.ben,
    )
    case = _current_case(people)

    assert [s.case_number for s in suggest_replies(case_id=case.pk, user=people.anna)] == [
        best.number
    ]


def test_the_draft_of_a_suggest_decision_leads_the_list(people):
    make_resolved_case(question=OTHER_QUESTION, answer="Antwort eines Falls", agent=people.anna)
    case = _current_case(people)
    make_decision(
        case,
        action="suggest",
        draft_subject="Ihre Bestellung 4711",
        draft_body="Hallo Clara, Ihre Bestellung 4711 kommt am 27.11.2026.",
    )

    suggestions = suggest_replies(case_id=case.pk, user=people.anna)

    assert [(s.kind, s.title, s.body, s.score) for s in suggestions[:1]] == [
        (
            "draft",
            "Ihre Bestellung 4711",
            "Hallo Clara, Ihre Bestellung 4711 kommt am 27.11.2026.",
            1.0,
        )
    ]
    assert [s.kind for s in suggestions] == ["draft", "similar_case"]


def test_a_shadow_auto_answer_draft_is_offered_but_not_a_sent_or_routed_one(people):
    case = _current_case(people)
    make_decision(case, action="auto_answer", shadow=True, draft_body="Entwurf im Schattenmodus")
    assert [s.body for s in suggest_replies(case_id=case.pk, user=people.anna)] == [
        "Entwurf im Schattenmodus"
    ]

    make_decision(case, action="route", draft_body="nicht für Mitarbeitende")
    assert suggest_replies(case_id=case.pk, user=people.anna) == []


def test_decision_overview_gives_the_latest_decision_and_every_automatic_answer(people):
    case = _current_case(people)
    first = make_resolved_case(question=OTHER_QUESTION, answer="x", agent=None)
    sent = first.messages.get(direction="outbound")
    make_decision(case, action="auto_answer", sent_message=None)
    make_decision(
        case,
        action="route",
        confidence=0.55,
        threshold=0.91,
        reasons=[{"code": "anger", "de": "Eskalationssignal: Ärger", "en": "Escalation: anger"}],
    )
    assert decision_overview(case_id=first.pk) is None
    make_decision(first, action="auto_answer", sent_message=sent)

    overview = decision_overview(case_id=case.pk, language="en")
    assert overview is not None
    assert (overview.action, overview.confidence, overview.threshold) == ("route", 0.55, 0.91)
    assert [(r.code, r.text) for r in overview.reasons] == [("anger", "Escalation: anger")]
    assert overview.auto_sent_message_ids == frozenset()
    german = decision_overview(case_id=case.pk, language="de")
    assert german is not None
    assert german.reasons[0].text == "Eskalationssignal: Ärger"
    sent_overview = decision_overview(case_id=first.pk)
    assert sent_overview is not None
    assert sent_overview.auto_sent_message_ids == frozenset({sent.pk})
    assert sent_overview.sent_message_id == sent.pk


def _suggestion(kind: str, score: float, title: str = "") -> ReplySuggestion:
    return ReplySuggestion(
        kind=kind,  # type: ignore[arg-type]
        title=title or f"{kind} {score}",
        body="Text",
        score=score,
        source_label="",
        language="de",
    )


def test_rank_keeps_the_best_article_even_when_similar_cases_score_higher():
    similar = [_suggestion("similar_case", s) for s in (0.9, 0.8, 0.7)]
    articles = [_suggestion("article", 0.2), _suggestion("article", 0.3)]
    draft = _suggestion("draft", 1.0)

    ranked = rank(draft=draft, similar=similar, articles=articles, limit=3)

    assert [(s.kind, s.score) for s in ranked] == [
        ("draft", 1.0),
        ("similar_case", 0.9),
        ("article", 0.3),
    ]
    assert rank(draft=None, similar=similar, articles=[], limit=2) == similar[:2]
    assert rank(draft=draft, similar=similar, articles=articles, limit=0) == []
    assert rank(draft=draft, similar=similar, articles=articles, limit=1) == [draft]


def test_matching_articles_are_suggested_internal_ones_included(people):
    make_article(
        "lieferzeiten",
        title="Lieferzeiten für Bestellungen",
        body="Bestellungen verlassen unser Lager innerhalb von 1–2 Werktagen. Wo eine Bestellung "
        "bleibt, zeigt die Sendungsverfolgung.\n",
        visibility="internal",
    )
    make_article("entlueften", title="Heizung entlüften", body=BLEEDING_DE)
    case = _current_case(people)

    suggestions = suggest_replies(case_id=case.pk, user=people.anna)

    assert [(s.kind, s.title, s.article_slug) for s in suggestions] == [
        ("article", "Lieferzeiten für Bestellungen", "lieferzeiten-fuer-bestellungen")
    ]
    assert suggestions[0].body == (
        "Bestellungen verlassen unser Lager innerhalb von 1–2 Werktagen. Wo eine Bestellung "
        "bleibt, zeigt die Sendungsverfolgung."
    )
    assert suggestions[0].source_label == "Wissensartikel"
