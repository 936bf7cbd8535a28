"""Who may see and change which case.

admin: everything. supervisor and agent: cases of their teams, cases assigned to them, cases of
unrestricted teams and cases not yet routed to any team; a restricted team's cases only for its
members. customer (portal user linked via ``customers.Customer.user``): only their own cases.
Anonymous or unknown users: nothing. Supervisors may (re)assign to anyone; agents take cases for
themselves or hand them back.

Per-request memo: one page asks ``role_of`` and ``visible_to`` a dozen times (navigation counts,
list, permission checks). Inside :func:`request_scope` (opened for every HTTP request by
:class:`AccessMemoMiddleware`) the user's AgentProfile, role and team ids are read once and kept on
that user instance, tagged with the scope. Outside a scope (services called from tasks, tests,
the live-update consumer whose user object outlives many events) nothing is memoised, so a role or
team change is seen at once; a new request opens a new scope, so nothing is carried across requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from kundenversteher.cases.errors import NotAllowed
from kundenversteher.cases.models import AgentProfile, Role
from kundenversteher.customers.models import Customer

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from kundenversteher.cases.models import Case, CaseQuerySet

CUSTOMER_ROLE = "customer"
UserLike = AbstractBaseUser | AnonymousUser | None


_scope: ContextVar[object | None] = ContextVar("kv_access_memo_scope", default=None)
_MEMO_ATTR = "_kv_access_memo"
_PROFILE = "profile"
_ROLE = "role"
_TEAM_IDS = "team_ids"


@contextmanager
def request_scope() -> Iterator[None]:
    """Memoise role and team look-ups per user instance until the block ends (one request)."""
    token = _scope.set(object())
    try:
        yield
    finally:
        _scope.reset(token)


class AccessMemoMiddleware:
    """Opens a :func:`request_scope` around each request (after AuthenticationMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)


def _memo(user: AbstractBaseUser) -> dict[str, Any] | None:
    """The user's memo for the current scope, or None outside a scope."""
    scope = _scope.get()
    if scope is None:
        return None
    kept = getattr(user, _MEMO_ATTR, None)
    if kept is not None and kept[0] is scope:
        return kept[1]  # type: ignore[no-any-return]
    memo: dict[str, Any] = {}
    # A memo from an earlier scope (same instance reused) is replaced, never consulted.
    setattr(user, _MEMO_ATTR, (scope, memo))
    return memo


def _profile(user: AbstractBaseUser) -> AgentProfile | None:
    memo = _memo(user)
    if memo is not None and _PROFILE in memo:
        return memo[_PROFILE]  # type: ignore[no-any-return]
    try:
        profile: AgentProfile | None = AgentProfile.objects.get(user_id=user.pk)
    except AgentProfile.DoesNotExist:
        profile = None
    if memo is not None and profile is not None:
        # Only a found profile is kept: a user who gains one within the request is seen.
        memo[_PROFILE] = profile
    return profile


def team_ids_of(user: UserLike) -> list[int]:
    """Ids of the teams the (staff) user belongs to; memoised inside a request scope."""
    if user is None or user.pk is None or not user.is_authenticated:
        return []
    memo = _memo(user)  # type: ignore[arg-type]
    if memo is not None and _TEAM_IDS in memo:
        return list(memo[_TEAM_IDS])
    ids = [
        tid
        for tid in AgentProfile.objects.filter(user_id=user.pk).values_list("teams", flat=True)
        if tid is not None
    ]
    if memo is not None:
        memo[_TEAM_IDS] = tuple(ids)
    return ids


def role_of(user: UserLike) -> str | None:
    """ "admin", "supervisor", "agent", "customer" or None (anonymous, inactive or unknown)."""
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN.value
    memo = _memo(user)
    if memo is not None and _ROLE in memo:
        return memo[_ROLE]  # type: ignore[no-any-return]
    profile = _profile(user)
    if profile is not None:
        role: str | None = str(profile.role)
    elif Customer.objects.filter(user_id=user.pk).exists():
        role = CUSTOMER_ROLE
    else:
        return None  # not memoised: a profile or customer link made within the request counts
    if memo is not None:
        memo[_ROLE] = role
    return role


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
    team_ids = team_ids_of(user)
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
