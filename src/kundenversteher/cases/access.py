"""Who may see and change which case.

admin: everything. supervisor and agent: cases of their teams, cases assigned to them, cases of
unrestricted teams and cases not yet routed to any team; a restricted team's cases only for its
members. customer (portal user linked via ``customers.Customer.user``): only their own cases.
Anonymous or unknown users: nothing. Supervisors may (re)assign to anyone; agents take cases for
themselves or hand them back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from kundenversteher.cases.errors import NotAllowed
from kundenversteher.cases.models import AgentProfile, Role
from kundenversteher.customers.models import Customer

if TYPE_CHECKING:
    from kundenversteher.cases.models import Case, CaseQuerySet

CUSTOMER_ROLE = "customer"
UserLike = AbstractBaseUser | AnonymousUser | None


def _profile(user: AbstractBaseUser) -> AgentProfile | None:
    try:
        return AgentProfile.objects.get(user_id=user.pk)
    except AgentProfile.DoesNotExist:
        return None


def role_of(user: UserLike) -> str | None:
    """ "admin", "supervisor", "agent", "customer" or None (anonymous, inactive or unknown)."""
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN.value
    profile = _profile(user)
    if profile is not None:
        return str(profile.role)
    if Customer.objects.filter(user_id=user.pk).exists():
        return CUSTOMER_ROLE
    return None


def is_staff_role(role: str | None) -> bool:
    return role in {Role.ADMIN, Role.SUPERVISOR, Role.AGENT}


def visibility_filter(queryset: CaseQuerySet, user: UserLike) -> CaseQuerySet:
    role = role_of(user)
    if role is None or user is None or user.pk is None:
        return queryset.none()
    if role == Role.ADMIN:
        return queryset
    user_id = int(user.pk)
    if role == CUSTOMER_ROLE:
        return queryset.filter(customer__user_id=user_id)
    team_ids = list(AgentProfile.objects.filter(user_id=user_id).values_list("teams", flat=True))
    team_ids = [tid for tid in team_ids if tid is not None]
    return queryset.filter(
        Q(team_id__in=team_ids)
        | Q(assignee_id=user_id)
        | Q(team__isnull=True)
        | Q(team__restricted=False)
    )


def can_view_case(user: UserLike, case: Case) -> bool:
    return visibility_filter(type(case).objects.all(), user).filter(pk=case.pk).exists()


def ensure_can_view_case(user: UserLike, case: Case) -> None:
    if not can_view_case(user, case):
        # Same message as "does not exist": guessing ids must not reveal restricted cases.
        raise NotAllowed(_("Anliegen nicht gefunden oder kein Zugriff."))


def ensure_can_change_case(user: UserLike, case: Case) -> None:
    """Staff who can see the case may work on it; customers only write messages (see services)."""
    ensure_can_view_case(user, case)
    if not is_staff_role(role_of(user)):
        raise NotAllowed(_("Nur Mitarbeitende dürfen Anliegen bearbeiten."))


def ensure_can_assign(user: UserLike, case: Case, *, agent_id: int | None) -> None:
    ensure_can_change_case(user, case)
    role = role_of(user)
    if role in {Role.ADMIN, Role.SUPERVISOR}:
        return
    own = user.pk if user is not None else None
    if agent_id is not None and agent_id != own:
        raise NotAllowed(_("Nur die Teamleitung darf Anliegen anderen zuweisen."))
    if agent_id is None and case.assignee_id not in {None, own}:
        raise NotAllowed(_("Nur die Teamleitung darf fremde Zuweisungen aufheben."))


def ensure_assignable(case: Case, *, agent_id: int) -> AgentProfile:
    """The new assignee must be staff and, for a restricted team, one of its members."""
    profile = AgentProfile.objects.filter(user_id=agent_id, user__is_active=True).first()
    if profile is None:
        raise NotAllowed(_("Dieser Benutzer ist kein aktiver Mitarbeiter."))
    if (
        case.team is not None
        and case.team.restricted
        and profile.role != Role.ADMIN
        and not profile.teams.filter(pk=case.team.pk).exists()
    ):
        raise NotAllowed(
            _("%(user)s gehört nicht zum vertraulichen Team »%(team)s«.")
            % {"user": profile.user, "team": case.team.name}
        )
    return profile
