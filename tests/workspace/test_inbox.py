"""The inbox page: views per user, filters, search, sorting, paging, counts, safety."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kundenversteher.cases import services
from kundenversteher.cases.models import Case
from tests.cases.factories import Personas, make_case, make_customer, make_personas, make_user

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


def login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def numbers(html: str) -> list[str]:
    """Case numbers of the listed rows, in order."""
    return re.findall(r'class="case-link" href="[^"]*">(KV-\d{4}-\d{6})</a>', html)


def inbox(client: Client, **params: str) -> str:
    response = client.get("/inbox/", params)
    assert response.status_code == 200
    return response.content.decode()


def assign(case: Case, user: object) -> Case:
    return services.assign_case(
        case_id=case.pk, agent_id=user.pk, by=user, expected_version=case.version
    )


def test_mine_lists_the_active_cases_assigned_to_me(personas, client):
    mine = assign(make_case(subject="Meins"), personas.anna)
    done = assign(make_case(subject="Erledigt"), personas.anna)
    services.change_status(case_id=done.pk, status="resolved", by=personas.anna)
    make_case(subject="Niemandes")
    login(client, personas.anna)

    assert numbers(inbox(client)) == [mine.number]
    assert numbers(inbox(client, view="mine")) == [mine.number]


def test_bens_restricted_team_cases_never_appear_for_anna(personas, client):
    secret = make_case(subject="Gehaltsabrechnung", body_text="Vertraulich Lohnkonto")
    Case.objects.filter(pk=secret.pk).update(team=personas.buchhaltung)
    open_case = make_case(subject="Heizung kalt")
    login(client, personas.anna)

    for view in ("mine", "teams", "unassigned", "due", "breached", "waiting"):
        assert secret.number not in inbox(client, view=view)
    assert numbers(inbox(client, view="unassigned")) == [open_case.number]
    assert numbers(inbox(client, view="unassigned", q="Lohnkonto")) == []
    assert numbers(inbox(client, view="unassigned", q=secret.number)) == []
    login(client, personas.ben)
    assert secret.number in numbers(inbox(client, view="teams"))


def test_unassigned_lists_active_cases_nobody_holds(personas, client):
    free = make_case(subject="Frei")
    assign(make_case(subject="Vergeben"), personas.sabine)
    closed = make_case(subject="Zu")
    services.change_status(case_id=closed.pk, status="resolved", by=personas.sabine)
    login(client, personas.anna)

    assert numbers(inbox(client, view="unassigned")) == [free.number]


def test_teams_lists_the_cases_of_my_teams(personas, client):
    service = make_case(subject="Service")
    Case.objects.filter(pk=service.pk).update(team=personas.service)
    make_case(subject="Ohne Team")
    login(client, personas.anna)

    assert numbers(inbox(client, view="teams")) == [service.number]


def test_due_and_breached_views_follow_the_sla_clocks(personas, client):
    now = timezone.now()
    due = make_case(subject="Bald")
    breached = make_case(subject="Zu spät")
    later = make_case(subject="Später")
    Case.objects.filter(pk=due.pk).update(first_response_due=now + timedelta(minutes=30))
    Case.objects.filter(pk=breached.pk).update(first_response_due=now - timedelta(minutes=5))
    Case.objects.filter(pk=later.pk).update(first_response_due=now + timedelta(hours=5))
    login(client, personas.anna)

    due_html = inbox(client, view="due")
    breached_html = inbox(client, view="breached")

    assert numbers(due_html) == [due.number]
    assert "bald fällig" in due_html
    assert numbers(breached_html) == [breached.number]
    assert "überfällig" in breached_html


def test_waiting_lists_my_and_my_teams_cases_waiting_for_someone(personas, client):
    waiting = assign(make_case(subject="Wartet"), personas.anna)
    services.change_status(case_id=waiting.pk, status="waiting_customer", by=personas.anna)
    other = make_case(subject="Fremd wartet")
    services.change_status(case_id=other.pk, status="waiting_third_party", by=personas.sabine)
    assign(make_case(subject="Offen"), personas.anna)
    login(client, personas.anna)

    assert numbers(inbox(client, view="waiting")) == [waiting.number]


def test_the_all_view_is_for_supervisors_and_admins_only(personas, client):
    closed = make_case(subject="Alt")
    services.change_status(case_id=closed.pk, status="resolved", by=personas.sabine)
    open_case = make_case(subject="Neu")

    assert login(client, personas.anna).get("/inbox/", {"view": "all"}).status_code == 403
    assert 'href="?view=all"' not in inbox(client)
    login(client, personas.sabine)
    assert numbers(inbox(client, view="all")) == [open_case.number, closed.number]


def test_filters_narrow_the_view(personas, client):
    letter = make_case(
        subject="Brief", channel="letter", priority="high", intent="invoice_copy", language="en"
    )
    Case.objects.filter(pk=letter.pk).update(team=personas.service)
    make_case(subject="Mail", channel="email", intent="order_status")
    mine = assign(make_case(subject="Meins"), personas.sabine)
    login(client, personas.sabine)

    def listed(**params: str) -> list[str]:
        return numbers(inbox(client, view="all", **params))

    assert listed(channel="letter") == [letter.number]
    assert listed(priority="high") == [letter.number]
    assert listed(intent="invoice_copy") == [letter.number]
    assert listed(team=str(personas.service.pk)) == [letter.number]
    assert listed(language="en") == [letter.number]
    assert listed(assignee="me") == [mine.number]
    assert listed(assignee=str(personas.sabine.pk)) == [mine.number]
    assert mine.number not in listed(assignee="none")
    assert listed(status="new", channel="letter") == [letter.number]
    assert listed(status="closed") == []


def test_invalid_filter_values_are_ignored_not_errors(personas, client):
    case = make_case(subject="Da")
    login(client, personas.anna)

    html = inbox(client, view="unassigned", status="kaputt", sort="quer", page="-3", team="x")

    assert numbers(html) == [case.number]


def test_search_hits_a_word_in_a_message_body(personas, client):
    hit = make_case(subject="Anfrage", body_text="Der Kompressor der Wärmepumpe brummt laut.")
    make_case(subject="Andere Anfrage", body_text="Bitte Rechnung senden.")
    login(client, personas.anna)

    assert numbers(inbox(client, view="unassigned", q="Kompressor")) == [hit.number]


def test_search_finds_subject_customer_name_and_number(personas, client):
    by_subject = make_case(subject="Heizkörper tropft")
    by_name = make_case(subject="Anruf", customer=make_customer("Zwiebelmeier"))
    login(client, personas.anna)

    assert numbers(inbox(client, view="unassigned", q="heizkörper")) == [by_subject.number]
    assert numbers(inbox(client, view="unassigned", q="Zwiebelmeier")) == [by_name.number]
    assert numbers(inbox(client, view="unassigned", q=by_name.number)) == [by_name.number]


def test_sorting_by_priority_and_due(personas, client):
    now = timezone.now()
    low = make_case(subject="Niedrig", priority="low")
    urgent = make_case(subject="Dringend", priority="urgent")
    normal = make_case(subject="Normal")
    Case.objects.filter(pk=low.pk).update(resolution_due=now + timedelta(hours=1))
    Case.objects.filter(pk=normal.pk).update(resolution_due=now + timedelta(hours=2))
    Case.objects.filter(pk=urgent.pk).update(resolution_due=None)
    login(client, personas.anna)

    by_priority = numbers(inbox(client, view="unassigned", sort="priority"))
    by_due = numbers(inbox(client, view="unassigned", sort="due"))
    by_received = numbers(inbox(client, view="unassigned"))

    assert by_priority == [urgent.number, normal.number, low.number]
    assert by_due == [low.number, normal.number, urgent.number]
    assert by_received == [normal.number, urgent.number, low.number]


def test_pages_of_fifty(personas, client):
    cases = [make_case(subject=f"Fall {i}") for i in range(51)]
    login(client, personas.anna)

    first = inbox(client, view="unassigned")
    second = inbox(client, view="unassigned", page="2")

    assert len(numbers(first)) == 50
    assert numbers(second) == [cases[0].number]
    assert 'rel="next"' in first
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_the_navigation_counts_each_view(personas, client):
    assign(make_case(subject="Meins"), personas.anna)
    make_case(subject="Frei 1")
    make_case(subject="Frei 2")
    login(client, personas.anna)

    html = inbox(client)

    def count(view: str) -> str:
        match = re.search(
            rf'href="\?view={view}"[^>]*>\s*<span class="view-label">[^<]*</span>\s*'
            r'<span class="count[^"]*">(\d+)',
            html,
        )
        assert match is not None, view
        return match.group(1)

    assert count("mine") == "1"
    assert count("unassigned") == "2"
    assert count("breached") == "0"


def test_user_text_is_escaped(personas, client):
    customer = make_customer(HOSTILE, first_name=HOSTILE)
    make_case(subject=HOSTILE, customer=customer, body_text=HOSTILE)
    login(client, personas.anna)

    html = inbox(client, view="unassigned", q="alert")

    assert len(numbers(html)) == 1
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_text_is_escaped_in_the_form(personas, client):
    login(client, personas.anna)

    html = inbox(client, q='"><script>alert(1)</script>')

    assert "<script>alert(1)</script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_an_htmx_filter_request_gets_only_the_results(personas, client):
    case = make_case(subject="Frei")
    login(client, personas.anna)

    response = client.get(
        "/inbox/",
        {"view": "unassigned"},
        headers={"HX-Request": "true", "HX-Target": "inbox-results"},
    )

    html = response.content.decode()
    assert numbers(html) == [case.number]
    assert "<html" not in html
    assert 'id="inbox-rows"' in html


def test_customers_and_anonymous_users_do_not_get_the_inbox(personas, client):
    assert client.get("/inbox/").status_code == 302
    assert client.get("/inbox/")["Location"] == "/login/?next=/inbox/"
    assert login(client, personas.clara).get("/inbox/").status_code == 403


def test_the_start_page_sends_staff_to_the_inbox_and_customers_to_the_portal(personas, client):
    assert login(client, personas.anna).get("/")["Location"] == "/inbox/"
    assert login(Client(), personas.clara).get("/")["Location"] == "/portal/"


def test_the_layout_has_landmarks_skip_link_and_shortcut_help(personas, client):
    login(client, personas.anna)

    html = inbox(client)

    assert '<a class="skip-link" href="#main">Zum Inhalt springen</a>' in html
    assert '<main id="main"' in html
    assert 'aria-label="Hauptnavigation"' in html
    assert '<dialog id="kv-shortcuts"' in html
    assert "/static/workspace/js/shortcuts.js" in html
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script
    assert " onclick=" not in html


def test_supervisors_see_the_team_link_agents_do_not(personas, client):
    try:
        team_url = reverse("workspace:supervisor")
    except NoReverseMatch:
        pytest.skip("the supervisor screen is not installed")

    agent_html = inbox(login(client, personas.anna))
    supervisor_html = inbox(login(Client(), personas.sabine))

    assert f'href="{team_url}"' not in agent_html
    assert f'href="{team_url}"' in supervisor_html


def test_the_inbox_is_english_on_request(personas, client):
    login(client, personas.anna)

    html = client.get("/inbox/", headers={"Accept-Language": "en"}).content.decode()

    assert '<html lang="en">' in html
    assert "My cases" in html
    assert "Skip to content" in html


def test_a_user_without_a_role_is_told_so_on_the_start_page(personas, client):
    login(client, make_user("neu"))

    response = client.get("/")

    assert response.status_code == 200
    assert (
        "Ihrem Konto ist noch keine Rolle im Kundenservice zugeordnet." in response.content.decode()
    )
    assert client.get("/inbox/").status_code == 403
