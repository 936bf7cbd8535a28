"""Admin: configuration (teams, skills, agents, calendars, SLA, routing) is editable and audited.

Cases are read-only here: their workflow fields change only through services, so the admin is
no back door around the state machine, SLA clocks and events. Admin actions call services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kundenversteher.cases import services
from kundenversteher.cases.errors import CaseError
from kundenversteher.cases.models import (
    AgentProfile,
    AgentSkill,
    BusinessCalendar,
    Case,
    ClosedDay,
    Message,
    RoutingDecision,
    RoutingRule,
    Skill,
    SLAPolicy,
    Team,
)
from kundenversteher.cases.states import Status
from kundenversteher.privacy.audit import AuditedModelAdmin


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin[Team]):
    list_display = ("name", "slug", "restricted", "is_default", "assignment_mode")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Skill)
class SkillAdmin(AuditedModelAdmin[Skill]):
    search_fields = ("name",)


class AgentSkillInline(admin.TabularInline[AgentSkill, AgentProfile]):
    model = AgentSkill
    extra = 1


@admin.register(AgentProfile)
class AgentProfileAdmin(AuditedModelAdmin[AgentProfile]):
    list_display = ("user", "role", "capacity", "absent_until")
    list_filter = ("role", "teams")
    filter_horizontal = ("teams",)
    inlines = (AgentSkillInline,)
    readonly_fields = ("last_assigned_at",)


class ClosedDayInline(admin.TabularInline[ClosedDay, BusinessCalendar]):
    model = ClosedDay
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedModelAdmin[BusinessCalendar]):
    list_display = ("name", "timezone", "subdivision")
    inlines = (ClosedDayInline,)


@admin.register(SLAPolicy)
class SLAPolicyAdmin(AuditedModelAdmin[SLAPolicy]):
    list_display = (
        "name",
        "active",
        "priority",
        "customer_tier",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "calendar",
    )


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin[RoutingRule]):
    list_display = ("name", "order", "active", "team", "set_priority", "add_tag")
    list_editable = ("order", "active")
    list_filter = ("active", "team")


class MessageInline(admin.TabularInline[Message, Case]):
    model = Message
    extra = 0
    can_delete = False
    fields = ("created_at", "direction", "channel", "author_label", "body_text")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoutingDecisionInline(admin.TabularInline[RoutingDecision, Case]):
    model = RoutingDecision
    extra = 0
    can_delete = False
    fields = ("created_at", "team", "agent", "reasons")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ("number", "subject", "status", "priority", "team", "assignee", "created_at")
    list_filter = ("status", "priority", "channel", "team")
    search_fields = ("number", "subject")
    inlines = (MessageInline, RoutingDecisionInline)
    actions = ("resolve_selected", "escalate_selected")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Case._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return Case.objects.visible_to(request.user).select_related("team", "assignee")

    @admin.action(description=_("Ausgewählte Anliegen als gelöst markieren"))
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        self._run(
            request,
            queryset,
            lambda case: services.change_status(
                case_id=case.pk, status=Status.RESOLVED, by=request.user
            ),
        )

    @admin.action(description=_("Ausgewählte Anliegen eskalieren"))
    def escalate_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        self._run(
            request,
            queryset,
            lambda case: services.escalate_case(
                case_id=case.pk, reason=gettext("Eskalation über die Verwaltung"), by=request.user
            ),
        )

    def _run(self, request: HttpRequest, queryset: QuerySet[Case], action: Any) -> None:
        done = 0
        for case in queryset:
            try:
                action(case)
                done += 1
            except CaseError as exc:  # reported to the user, not swallowed
                self.message_user(request, f"{case.number}: {exc}", messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d Anliegen geändert.", "%(count)d Anliegen geändert.", done)
                % {"count": done},
                messages.SUCCESS,
            )
