"""Forms of the inbox: the filter bar (GET, never fails: bad values fall back to defaults) and
the bulk actions (POST)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kundenversteher.cases.access import role_of
from kundenversteher.cases.models import STATUS_CHOICES, AgentProfile, Channel, Priority, Role, Team
from kundenversteher.cases.search import InboxFilters, InboxSort, InboxView, may_use_view

# One taxonomy for the whole workspace: the case view's labels (shared domain facts).
from kundenversteher.workspace.case_forms import INTENT_LABELS

VIEW_LABELS: dict[InboxView, Promise] = {
    InboxView.MINE: _("Meine Anliegen"),
    InboxView.TEAMS: _("Meine Teams"),
    InboxView.UNASSIGNED: _("Nicht zugewiesen"),
    InboxView.DUE: _("Bald fällig"),
    InboxView.BREACHED: _("SLA verletzt"),
    InboxView.WAITING: _("Wartend"),
    InboxView.ALL: _("Alle Anliegen"),
}

SORT_LABELS: dict[InboxSort, Promise] = {
    InboxSort.RECEIVED: _("Eingang (neueste zuerst)"),
    InboxSort.DUE: _("Fälligkeit (früheste zuerst)"),
    InboxSort.PRIORITY: _("Priorität (höchste zuerst)"),
    InboxSort.UPDATED: _("Letzte Änderung"),
}

LANGUAGE_CHOICES = [("de", _("Deutsch")), ("en", _("Englisch"))]
PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_BULK = 200


def _staff_users() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, agent_profile__isnull=False)
        .order_by("first_name", "username")
    )


def visible_teams(user: AbstractBaseUser) -> Any:
    """Teams offered in the filter: a restricted team only to its members (and admins)."""
    teams = Team.objects.order_by("name")
    if role_of(user) == Role.ADMIN:
        return teams
    return teams.filter(Q(restricted=False) | Q(members__user_id=user.pk)).distinct()


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


@dataclass(frozen=True, slots=True)
class InboxParams:
    view: InboxView
    filters: InboxFilters
    sort: InboxSort
    page: int


class InboxFilterForm(forms.Form):
    """The filter bar. Invalid values are dropped, never shown as errors: the inbox always renders
    (a stale bookmark or a hand-edited URL must not break the agent's start page)."""

    view = forms.ChoiceField(label=_("Ansicht"), choices=list(VIEW_LABELS.items()), required=False)
    q = forms.CharField(label=_("Suche"), max_length=200, required=False, strip=True)
    status = forms.MultipleChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    priority = forms.MultipleChoiceField(
        label=_("Priorität"), choices=Priority.choices, required=False
    )
    channel = forms.MultipleChoiceField(label=_("Kanal"), choices=Channel.choices, required=False)
    intent = forms.ChoiceField(
        label=_("Anliegen-Art"),
        choices=[("", _("alle")), *INTENT_LABELS.items()],
        required=False,
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("alle")
    )
    language = forms.ChoiceField(
        label=_("Sprache"), choices=[("", _("alle")), *LANGUAGE_CHOICES], required=False
    )
    assignee = forms.CharField(label=_("Bearbeitet von"), required=False)
    sort = forms.ChoiceField(
        label=_("Sortierung"), choices=list(SORT_LABELS.items()), required=False
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        team_field.queryset = visible_teams(user)
        self.assignee_choices: list[tuple[str, Any]] = [
            ("", _("alle")),
            ("me", _("mir")),
            ("none", _("niemandem")),
            *((str(u.pk), u.get_full_name() or u.get_username()) for u in _staff_users()),
        ]
        self.view_choices = [
            (view, label) for view, label in VIEW_LABELS.items() if may_use_view(user, view)
        ]

    def clean_assignee(self) -> str | int | None:
        raw = str(self.cleaned_data.get("assignee") or "").strip()
        if raw in {"me", "none"}:
            return raw
        if raw.isdigit():
            return int(raw)
        return None

    def params(self) -> InboxParams:
        """The validated parameters; every invalid field is treated as absent."""
        self.is_valid()
        data = self.cleaned_data
        team = data.get("team")
        return InboxParams(
            view=InboxView(data.get("view") or InboxView.MINE),
            filters=InboxFilters(
                status=tuple(data.get("status") or ()),
                priority=tuple(data.get("priority") or ()),
                channel=tuple(data.get("channel") or ()),
                intent=data.get("intent") or "",
                team_id=team.pk if team is not None else None,
                language=data.get("language") or "",
                assignee=data.get("assignee"),
                q=data.get("q") or "",
            ),
            sort=InboxSort(data.get("sort") or InboxSort.RECEIVED),
            page=data.get("page") or 1,
        )


class BulkAction:
    ASSIGN_ME = "assign_me"
    ASSIGN = "assign"
    RELEASE = "release"
    STATUS = "status"
    PRIORITY = "priority"


BULK_ACTION_LABELS: dict[str, Promise] = {
    BulkAction.ASSIGN_ME: _("Mir zuweisen"),
    BulkAction.ASSIGN: _("Zuweisen an …"),
    BulkAction.RELEASE: _("Zuweisung aufheben"),
    BulkAction.STATUS: _("Status setzen …"),
    BulkAction.PRIORITY: _("Priorität setzen …"),
}

# Statuses an agent may set by hand (``new`` is only where cases start).
SETTABLE_STATUSES = [(value, label) for value, label in STATUS_CHOICES if value != "new"]


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Aktion"), choices=list(BULK_ACTION_LABELS.items()))
    agent = UserChoiceField(
        label=_("Zuweisen an"), queryset=AgentProfile.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Neuer Status"), choices=[("", "—"), *SETTABLE_STATUSES], required=False
    )
    priority = forms.ChoiceField(
        label=_("Neue Priorität"), choices=[("", "—"), *Priority.choices], required=False
    )
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent_field = self.fields["agent"]
        assert isinstance(agent_field, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        agent_field.queryset = _staff_users()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw_ids = self.data.getlist("case") if hasattr(self.data, "getlist") else ()
        ids = list(dict.fromkeys(int(raw) for raw in raw_ids if str(raw).isdigit()))
        if not ids:
            raise forms.ValidationError(_("Bitte wählen Sie mindestens ein Anliegen aus."))
        if len(ids) > MAX_BULK:
            raise forms.ValidationError(
                _("Höchstens %(max)d Anliegen auf einmal.") % {"max": MAX_BULK}
            )
        data["case_ids"] = ids
        action = data.get("action")
        if action == BulkAction.ASSIGN and data.get("agent") is None:
            self.add_error("agent", _("Bitte wählen Sie, wem zugewiesen werden soll."))
        if action == BulkAction.STATUS and not data.get("status"):
            self.add_error("status", _("Bitte wählen Sie einen Status."))
        if action == BulkAction.PRIORITY and not data.get("priority"):
            self.add_error("priority", _("Bitte wählen Sie eine Priorität."))
        return data
