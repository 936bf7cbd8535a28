"""Routing: which team, which agent, and why.

Team: the first active ``RoutingRule`` (by order) whose every non-empty condition matches the
case (intent, channel, language, customer tier, keyword in subject or first customer message),
else the default team. Agent: among the team's members who are present, speak the case language
and are under capacity, the one with the highest skill level for the intent, then the least open
load (or the longest wait since the last assignment in round-robin teams). Skills come before
load: a free but wrong agent costs a second hand-off. Every decision is stored with its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kundenversteher.cases import sla
from kundenversteher.cases.calendars import is_open_at
from kundenversteher.cases.models import (
    AgentProfile,
    AgentSkill,
    Case,
    Message,
    RoutingDecision,
    RoutingRule,
    Team,
)
from kundenversteher.cases.states import ACTIVE_STATUSES
from kundenversteher.events.services import record

Reason = dict[str, str]


def _reason(code: str, text: str) -> Reason:
    return {"code": code, "text": text}


def _first_inbound_text(case: Case) -> str:
    first = (
        Message.objects.filter(case=case, direction=Message.Direction.INBOUND)
        .order_by("created_at", "id")
        .values_list("body_text", flat=True)
        .first()
    )
    return first or ""


def _case_text(case: Case, first_text: str) -> str:
    return f"{case.subject}\n{first_text}".casefold()


def _customer_tier(case: Case) -> str:
    return str(case.customer.tier) if case.customer is not None else ""


def match_rule(rule: RoutingRule, case: Case, *, text: str, tier: str) -> list[str] | None:
    """German descriptions of the matched conditions, or None if any condition fails."""
    matched: list[str] = []
    checks = (
        (rule.intents, case.intent, _("Anliegen %s")),
        (rule.channels, case.channel, _("Kanal %s")),
        (rule.languages, case.language, _("Sprache %s")),
        (rule.customer_tiers, tier, _("Kundenstufe %s")),
    )
    for allowed, value, label in checks:
        if not allowed:
            continue
        if value not in allowed:
            return None
        matched.append(label % value)
    if rule.keywords:
        hits = [kw for kw in rule.keywords if str(kw).casefold() in text]
        if not hits:
            return None
        matched.append(_("Stichwort »%s«") % hits[0])
    return matched


@dataclass(frozen=True, slots=True)
class _Candidate:
    profile: AgentProfile
    skill_level: int
    load: int


def open_load_by_agent(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Case.objects.filter(assignee_id__in=user_ids, status__in=list(ACTIVE_STATUSES))
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def _pick_agent(
    case: Case, team: Team, *, now: datetime, reasons: list[Reason], specs: sla.SpecCache
) -> AgentProfile | None:
    members = list(
        AgentProfile.objects.filter(teams=team, user__is_active=True)
        .select_related("user", "calendar")
        .order_by("id")
    )
    if not members:
        reasons.append(_reason("no_members", _("Team »%s« hat keine Mitglieder.") % team.name))
        return None
    loads = open_load_by_agent([m.user_id for m in members])
    levels = (
        dict(
            AgentSkill.objects.filter(agent__in=members, skill__name=case.intent).values_list(
                "agent_id", "level"
            )
        )
        if case.intent
        else {}
    )
    candidates: list[_Candidate] = []
    for member in members:
        name = member.user.get_full_name() or member.user.get_username()
        load = loads.get(member.user_id, 0)
        if member.absent_until is not None and member.absent_until > now:
            reasons.append(
                _reason(
                    "skip_absent",
                    _("%(name)s übersprungen: abwesend bis %(until)s")
                    % {
                        "name": name,
                        "until": timezone.localtime(member.absent_until).strftime("%d.%m.%Y %H:%M"),
                    },
                )
            )
            continue
        if member.calendar is not None and not is_open_at(
            sla.calendar_spec(member.calendar, specs), now
        ):
            reasons.append(
                _reason(
                    "skip_off_duty",
                    _("%(name)s übersprungen: außerhalb der Arbeitszeit") % {"name": name},
                )
            )
            continue
        if case.language and case.language not in (member.languages or []):
            reasons.append(
                _reason(
                    "skip_language",
                    _("%(name)s übersprungen: spricht nicht %(lang)s")
                    % {"name": name, "lang": case.language},
                )
            )
            continue
        if load >= member.capacity:
            reasons.append(
                _reason(
                    "skip_capacity",
                    _("%(name)s übersprungen: ausgelastet (%(load)d/%(cap)d offene Fälle)")
                    % {"name": name, "load": load, "cap": member.capacity},
                )
            )
            continue
        candidates.append(_Candidate(member, levels.get(member.pk, 0), load))
    if not candidates:
        reasons.append(
            _reason(
                "team_queue",
                _("Kein Mitglied von »%s« verfügbar: Anliegen bleibt in der Team-Warteschlange.")
                % team.name,
            )
        )
        return None
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    if team.assignment_mode == Team.AssignmentMode.ROUND_ROBIN:
        candidates.sort(
            key=lambda c: (-c.skill_level, c.profile.last_assigned_at or epoch, c.profile.pk)
        )
    else:
        candidates.sort(key=lambda c: (-c.skill_level, c.load, c.profile.pk))
    best = candidates[0]
    name = best.profile.user.get_full_name() or best.profile.user.get_username()
    parts = [_("Sprache %s") % case.language] if case.language else []
    if best.skill_level:
        parts.append(
            _("Fähigkeit %(skill)s Stufe %(level)d")
            % {"skill": case.intent, "level": best.skill_level}
        )
    parts.append(
        _("%(load)d/%(cap)d offene Fälle") % {"load": best.load, "cap": best.profile.capacity}
    )
    if team.assignment_mode == Team.AssignmentMode.ROUND_ROBIN:
        parts.append(_("reihum an der Reihe"))
    reasons.append(_reason("agent_selected", f"{name}: {', '.join(parts)}"))
    return best.profile


def route_case(*, case_id: int, now: datetime | None = None) -> RoutingDecision:
    """Choose team and agent and store the decision. Runs in (or opens) a transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        return route_locked(case, now=now)


def route_locked(
    case: Case,
    *,
    now: datetime,
    first_text: str | None = None,
    specs: sla.SpecCache | None = None,
) -> RoutingDecision:
    """``route_case`` for a case the caller has just written or locked in its transaction.

    ``open_case`` passes the first message's text and the calendar specs it already read, so
    routing a new case does not read them again; ``case.customer`` should be loaded.
    """
    specs = {} if specs is None else specs
    reasons: list[Reason] = []
    text = _case_text(case, _first_inbound_text(case) if first_text is None else first_text)
    tier = _customer_tier(case)
    rule: RoutingRule | None = None
    for candidate in RoutingRule.objects.filter(active=True).select_related("team"):
        matched = match_rule(candidate, case, text=text, tier=tier)
        if matched is not None:
            rule = candidate
            detail = ", ".join(matched) or _("ohne Bedingungen")
            reasons.append(
                _reason(
                    "rule_matched",
                    _("Regel »%(rule)s« passte: %(detail)s")
                    % {"rule": candidate.name, "detail": detail},
                )
            )
            break
    team: Team | None
    if rule is not None:
        team = rule.team
    else:
        team = Team.objects.filter(is_default=True).order_by("id").first()
        if team is not None:
            reasons.append(
                _reason(
                    "default_team",
                    _("Keine Regel passte: Standardteam »%s«") % team.name,
                )
            )
        else:
            reasons.append(
                _reason("no_team", _("Keine Regel passte und kein Standardteam festgelegt."))
            )
    agent = (
        _pick_agent(case, team, now=now, reasons=reasons, specs=specs) if team is not None else None
    )
    update_fields = ["team", "assignee", "version", "updated_at"]
    case.team = team
    case.assignee = agent.user if agent is not None else None
    if rule is not None and rule.set_priority and rule.set_priority != case.priority:
        case.priority = rule.set_priority
        update_fields.append("priority")
        if sla.reapply_policy(case, customer_tier=tier, specs=specs):
            update_fields += ["sla_policy", "first_response_due", "resolution_due"]
        reasons.append(
            _reason("set_priority", _("Priorität gesetzt: %s") % rule.get_set_priority_display())
        )
    if rule is not None and rule.add_tag and rule.add_tag not in case.tags:
        case.tags = [*case.tags, rule.add_tag]
        update_fields.append("tags")
        reasons.append(_reason("add_tag", _("Schlagwort gesetzt: %s") % rule.add_tag))
    case.version += 1
    case.save(update_fields=update_fields)
    if agent is not None:
        AgentProfile.objects.filter(pk=agent.pk).update(last_assigned_at=now)
    decision = RoutingDecision.objects.create(
        case=case, rule=rule, team=team, agent=case.assignee, reasons=reasons
    )
    record(
        "case.routed",
        case_id=case.pk,
        customer_id=case.customer_id,
        subject=case,
        data={
            "team_id": team.pk if team else None,
            "agent_id": case.assignee_id,
            "rule_id": rule.pk if rule else None,
            "decision_id": decision.pk,
            "reasons": [r["code"] for r in reasons],
        },
    )
    return decision
