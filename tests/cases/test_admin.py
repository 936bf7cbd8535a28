from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from kundenversteher.cases.admin import CaseAdmin
from kundenversteher.cases.models import Case, RoutingRule, SLAPolicy, Team
from kundenversteher.events.models import Event
from kundenversteher.privacy.audit import AuditedModelAdmin
from tests.cases.factories import make_case


def _request(user):
    request = RequestFactory().post("/admin/cases/case/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_configuration_admins_are_audited():
    for model in (Team, SLAPolicy, RoutingRule):
        assert isinstance(admin.site._registry[model], AuditedModelAdmin)


def test_case_workflow_fields_are_read_only_and_cases_cannot_be_added_or_deleted(personas):
    case_admin = admin.site._registry[Case]
    request = _request(personas.admin)

    readonly = set(case_admin.get_readonly_fields(request, None))
    assert {"status", "assignee", "team", "priority", "resolution_due", "version"} <= readonly
    assert not case_admin.has_add_permission(request)
    assert not case_admin.has_delete_permission(request, None)


def test_admin_actions_go_through_the_services(personas):
    case = make_case()
    other = make_case()
    case_admin = CaseAdmin(Case, admin.site)

    case_admin.resolve_selected(_request(personas.admin), Case.objects.filter(pk__in=[case.pk]))
    case_admin.escalate_selected(_request(personas.admin), Case.objects.filter(pk=other.pk))

    case.refresh_from_db()
    other.refresh_from_db()
    assert (case.status, case.resolved_at is not None) == ("resolved", True)
    assert other.priority == "high"
    assert Event.objects.filter(kind="case.resolved", case_id=case.pk).count() == 1
    assert Event.objects.filter(kind="case.escalated", case_id=other.pk).count() == 1
