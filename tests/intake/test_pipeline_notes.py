"""What the intake could not take over is visible to the agent in the case message itself."""

from __future__ import annotations

from pathlib import Path

from kundenversteher.cases.models import Message
from tests.intake.corpus import html_unclosed_comments_mail
from tests.intake.factories import receive_mail, run


def test_a_parsing_problem_is_noted_below_the_customers_text(db):
    inbound = receive_mail(html_unclosed_comments_mail())

    outcome = run(inbound.inbound_id)

    message = Message.objects.get(pk=outcome.message_id)
    assert message.body_text.startswith("Bitte um Rückruf.")
    assert "[Hinweis der Eingangsverarbeitung: HTML-Teil mit übergroßen" in message.body_text
    assert "<!--" not in message.body_html


def test_without_an_intent_model_the_case_intent_stays_empty(db, tmp_path: Path):
    inbound = receive_mail(html_unclosed_comments_mail())

    outcome = run(inbound.inbound_id, model_dir=tmp_path)  # an empty model folder

    message = Message.objects.get(pk=outcome.message_id)
    assert message.case.intent == ""
    assert message.understanding["intent"]["intent"] == "unknown"
