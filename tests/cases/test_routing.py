from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kundenversteher.cases.models import Case, RoutingDecision, Team
from kundenversteher.cases.routing import route_case
from kundenversteher.events.models import Event
from tests.cases.factories import (
    make_agent,
    make_calendar,
    make_case,
    make_customer,
    make_rule,
    make_team,
)

NOW = datetime(2026, 6, 8, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def texts(decision: RoutingDecision) -> list[str]:
    return decision.reason_texts


def codes(decision: RoutingDecision) -> list[str]:
    return [r["code"] for r in decision.reasons]


def test_first_matching_rule_picks_the_team_and_the_most_skilled_agent(personas):
    make_rule("Rechnungen", team=personas.buchhaltung, intents=["invoice_copy", "payment_issue"])
    case = make_case(intent="invoice_copy", now=NOW)

    decision = route_case(case_id=case.pk, now=NOW)

    case.refresh_from_db()
    assert (case.team, case.assignee) == (personas.buchhaltung, personas.ben)
    assert texts(decision) == [
        "Regel »Rechnungen« passte: Anliegen invoice_copy",
        "Ben: Sprache de, Fähigkeit invoice_copy Stufe 5, 0/10 offene Fälle",
    ]
    assert (decision.team, decision.agent, decision.rule.name) == (
        personas.buchhaltung,
        personas.ben,
        "Rechnungen",
    )
    event = Event.objects.get(kind="case.routed", case_id=case.pk)
    assert event.payload["agent_id"] == personas.ben.pk


def test_rules_are_tried_in_order_and_every_condition_must_match(personas):
    vip = make_customer("Wichtig", tier="vip")
    make_rule(
        "VIP per Brief",
        team=personas.buchhaltung,
        order=1,
        customer_tiers=["vip"],
        channels=["letter"],
    )
    make_rule("Alles von VIP", team=personas.service, order=2, customer_tiers=["vip"])
    case = make_case(customer=vip, channel="email", now=NOW)

    decision = route_case(case_id=case.pk, now=NOW)

    assert decision.team == personas.service
    assert texts(decision)[0] == "Regel »Alles von VIP« passte: Kundenstufe vip"


def test_keywords_match_subject_or_first_customer_message_case_insensitively(personas):
    make_rule("Störung", team=personas.buchhaltung, keywords=["Fehlercode", "ausgefallen"])
    case = make_case(subject="Heizung", body_text="Die Wärmepumpe zeigt FEHLERCODE E12.", now=NOW)

    decision = route_case(case_id=case.pk, now=NOW)

    assert decision.team == personas.buchhaltung
    assert texts(decision)[0] == "Regel »Störung« passte: Stichwort »Fehlercode«"


def test_without_a_matching_rule_the_default_team_gets_the_case(personas):
    make_rule("Rechnungen", team=personas.buchhaltung, intents=["invoice_copy"])
    case = make_case(intent="order_status", now=NOW)

    decision = route_case(case_id=case.pk, now=NOW)

    assert decision.team == personas.service
    assert texts(decision)[0] == "Keine Regel passte: Standardteam »Service«"


def test_a_rule_can_set_priority_and_tag(personas):
    make_rule(
        "Beschwerden",
        team=personas.service,
        intents=["complaint"],
        set_priority="high",
        add_tag="beschwerde",
    )
    case = make_case(intent="complaint", now=NOW)

    route_case(case_id=case.pk, now=NOW)

    case.refresh_from_db()
    assert (case.priority, case.tags) == ("high", ["beschwerde"])


def test_absent_agents_are_skipped(personas):
    team = make_team("Technik")
    make_agent(
        "tom", teams=[team], skills={"device_fault": 5}, absent_until=NOW + timedelta(days=3)
    )
    uwe = make_agent("uwe", teams=[team], skills={"device_fault": 2})
    make_rule("Technik", team=team, intents=["device_fault"])
    case = make_case(intent="device_fault", now=NOW)

    decision = route_case(case_id=case.pk, now=NOW)

    assert decision.agent == uwe
    assert texts(decision)[1] == "Tom übersprungen: abwesend bis 11.06.2026 10:00"


def test_agents_at_capacity_are_skipped(personas):
    team = make_team("Technik")
    tom = make_agent("tom", teams=[team], capacity=1, skills={"device_fault": 5})
    uwe = make_agent("uwe", teams=[team], capacity=5)
    make_rule("Technik", team=team, intents=["device_fault"])
    first = make_case(intent="device_fault", now=NOW)
    assert route_case(case_id=first.pk, now=NOW).agent == tom

    second = make_case(intent="device_fault", now=NOW)
    decision = route_case(case_id=second.pk, now=NOW)

    assert decision.agent == uwe
    assert "Tom übersprungen: ausgelastet (1/1 offene Fälle)" in texts(decision)


def test_the_agent_must_speak_the_case_language(personas):
    team = make_team("International")
    make_agent("tom", teams=[team], languages=("de",), skills={"order_status": 5})
    emil = make_agent("emil", teams=[team], languages=("de", "en"))
    make_rule("Englisch", team=team, languages=["en"])
    case = make_case(language="en", now=NOW)

    decision = route_case(case_id=case.pk, now=NOW)

    assert decision.agent == emil
    assert texts(decision)[1:] == [
        "Tom übersprungen: spricht nicht en",
        "Emil: Sprache en, 0/10 offene Fälle",
    ]


def test_with_equal_skill_the_least_loaded_agent_wins(personas):
    team = make_team("Technik")
    tom = make_agent("tom", teams=[team])
    uwe = make_agent("uwe", teams=[team])
    make_rule("Technik", team=team)
    assert route_case(case_id=make_case(now=NOW).pk, now=NOW).agent == tom
    assert route_case(case_id=make_case(now=NOW).pk, now=NOW).agent == uwe
    assert route_case(case_id=make_case(now=NOW).pk, now=NOW).agent == tom


def test_round_robin_teams_take_turns_even_when_loads_differ(personas):
    team = make_team("Technik", mode=Team.AssignmentMode.ROUND_ROBIN)
    tom = make_agent("tom", teams=[team])
    uwe = make_agent("uwe", teams=[team])
    make_rule("Technik", team=team)
    picks = [
        route_case(case_id=make_case(now=NOW).pk, now=NOW + timedelta(minutes=i)).agent
        for i in range(4)
    ]
    assert picks == [tom, uwe, tom, uwe]


def test_without_an_eligible_agent_the_case_waits_in_the_team_queue(personas):
    team = make_team("Technik")
    make_agent("tom", teams=[team], absent_until=NOW + timedelta(hours=1))
    make_rule("Technik", team=team)
    case = make_case(now=NOW)

    decision = route_case(case_id=case.pk, now=NOW)

    case.refresh_from_db()
    assert (case.team, case.assignee) == (team, None)
    assert codes(decision) == ["rule_matched", "skip_absent", "team_queue"]
    assert texts(decision)[-1] == (
        "Kein Mitglied von »Technik« verfügbar: Anliegen bleibt in der Team-Warteschlange."
    )


def test_open_case_routes_unless_told_not_to(personas):
    routed = make_case(route=True, now=NOW)
    unrouted = make_case(route=False, now=NOW)

    assert (routed.team, routed.assignee) == (personas.service, personas.anna)
    assert Case.objects.get(pk=unrouted.pk).team is None
    assert RoutingDecision.objects.filter(case=unrouted).count() == 0


def test_agents_outside_their_working_hours_are_skipped(personas):
    team = make_team("Spätdienst")
    early_shift = make_calendar(
        "Frühschicht", weekly_hours={str(day): [["06:00", "09:00"]] for day in range(5)}
    )
    make_agent("fritz", teams=[team], skills={"device_fault": 5}, calendar=early_shift)
    make_agent("lena", teams=[team], skills={"device_fault": 1}, calendar=make_calendar())
    make_rule("Technik", team=team, intents=["device_fault"])
    case = make_case(intent="device_fault", now=NOW)  # Monday 10:00

    decision = route_case(case_id=case.pk, now=NOW)

    assert decision.agent.get_username() == "lena"
    assert "Fritz übersprungen: außerhalb der Arbeitszeit" in texts(decision)
