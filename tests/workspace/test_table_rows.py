"""Table rows built in Python (workspace_tags.render_case_row / render_attention_row): what each
cell shows, in the active language, with the user's text escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from kundenversteher.cases import services
from kundenversteher.cases.models import Case
from kundenversteher.workspace.supervisor import AttentionCase
from kundenversteher.workspace.templatetags.workspace_tags import (
    render_attention_row,
    render_case_row,
)
from tests.cases.factories import Personas, make_case, make_customer, make_personas

# 2026-11-23 10:00 in Berlin (UTC+1)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(db: None) -> Personas:
    return make_personas()


def _case(people: Personas, **changes: object) -> Case:
    case = make_case(
        subject="Wärmepumpe <b>laut</b>",
        customer=make_customer("Müller", first_name="Jörg"),
        now=NOW - timedelta(hours=2),
    )
    values: dict[str, object] = {
        "team": people.service,
        "assignee": people.anna,
        "intent": "device_fault",
        "status": "open",
        "priority": "high",
        "received_at": NOW - timedelta(hours=2),
        "first_response_due": None,
        "next_response_due": None,
        "resolution_due": NOW - timedelta(minutes=5),
        "sla_paused_at": None,
    }
    Case.objects.filter(pk=case.pk).update(**{**values, **changes})
    return Case.objects.select_related("team", "assignee", "customer").get(pk=case.pk)


def test_an_inbox_row_shows_every_column_with_the_users_text_escaped(people):
    people.anna.first_name, people.anna.last_name = "Anna", "Adler"
    people.anna.save()
    case = _case(people)
    html = render_case_row(case, NOW)
    assert html.startswith(
        f'\n<tr id="case-row-{case.pk}" class="case-row priority-high sla-breached"'
    )
    assert f'data-href="/cases/{case.number}/"' in html
    assert f'aria-label="{case.number} auswählen"' in html
    assert 'class="subject">Wärmepumpe &lt;b&gt;laut&lt;/b&gt; <span class="intent">' in html
    assert '<td data-label="Kunde">Jörg Müller</td>' in html
    assert '<span class="badge status-open">offen</span>' in html
    assert '<span class="badge priority-high">hoch</span>' in html
    assert '<td data-label="Team">Service</td>' in html
    assert '<td data-label="Bearbeitet von">Anna Adler</td>' in html
    assert '<time datetime="2026-11-23T08:00:00+01:00">23.11.26 08:00</time>' in html
    assert (
        '<time datetime="2026-11-23T09:55:00+01:00">23.11. 09:55</time>'
        ' <span class="badge sla-breached">überfällig</span>'
    ) in html


def test_an_inbox_row_without_customer_assignee_or_running_clock_says_so(people):
    case = _case(people, customer=None, assignee=None, team=None, status="closed", intent="")
    html = render_case_row(case, NOW)
    assert 'class="case-row priority-high"' in html
    assert '<span class="muted">unbekannt</span>' in html
    assert '<span class="muted">niemand</span>' in html
    assert '<td data-label="Team">—</td>' in html
    assert '<td data-label="Fällig">—</td>' in html
    assert 'class="intent"' not in html


def test_row_texts_follow_the_active_language_each_time(people):
    case = _case(people)
    with translation.override("en"):
        english = render_case_row(case, NOW)
    german = render_case_row(case, NOW)
    assert '<td data-label="Number">' in english
    assert f'aria-label="Select {case.number}"' in english
    assert '<td data-label="Nummer">' in german
    assert 'data-label="Number"' not in german


def test_the_attention_row_names_the_reason_and_carries_the_version(people):
    case = _case(people)
    services.set_priority(case_id=case.pk, priority="urgent", by=people.sabine)
    case = Case.objects.select_related("team", "assignee", "customer").get(pk=case.pk)
    breached = render_attention_row(AttentionCase(case, breached=True, due_soon=False), NOW, 60)
    due = render_attention_row(AttentionCase(case, breached=False, due_soon=True), NOW, 60)
    idle = render_attention_row(AttentionCase(case, breached=False, due_soon=False), NOW, 60)
    assert f'<input type="hidden" name="version-{case.pk}" value="{case.version}">' in breached
    assert 'class="case-row sla-breached"' in breached
    assert '<span class="badge sla-breached">SLA überschritten</span>' in breached
    assert '<span class="badge sla-due">bald fällig</span>' in due
    assert '<span class="badge">nicht zugewiesen</span>' in idle
    assert 'class="case-row"' in idle
