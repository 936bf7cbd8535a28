"""/api/v1/cases: list, detail, open, message, note, status, assign, merge.

Thin: parse → authorise (visibility first: an invisible case is a 404, exactly like a missing
one) → call cases.services / cases.queries → render. Business rules live in the cases app.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from kundenversteher.api.auth import acting_user, ensure_staff, requires
from kundenversteher.api.models import Scope
from kundenversteher.api.pagination import PageParams, paginate
from kundenversteher.api.schemas import (
    AssignIn,
    CaseChannel,
    CaseDetailOut,
    CaseIn,
    CaseOrdering,
    CaseOut,
    CasePage,
    CasePriority,
    CaseStatus,
    LocalDatetime,
    MergeIn,
    MessageIn,
    MessageOut,
    NoteIn,
    StatusIn,
    with_errors,
)
from kundenversteher.cases import queries, services
from kundenversteher.cases.access import UserLike
from kundenversteher.cases.errors import CaseNotFound
from kundenversteher.cases.models import Case, Message
from kundenversteher.cases.types import AttachmentUpload

router = Router(tags=["cases"])
READ = requires(Scope.CASES_READ)
WRITE = requires(Scope.CASES_WRITE)


class CaseFilter(Schema):
    status: list[CaseStatus] = Field(default_factory=list)
    team: int | None = None
    assignee: int | None = None
    unassigned: bool = False
    priority: list[CasePriority] = Field(default_factory=list)
    channel: list[CaseChannel] = Field(default_factory=list)
    intent: str = Field("", max_length=64)
    customer: int | None = None
    q: str = Field("", max_length=200, description="Vorgangsnummer, Betreff oder Kundenname")
    created_after: LocalDatetime | None = None
    created_before: LocalDatetime | None = None
    sla: Literal["", "due", "breached"] = ""
    ordering: CaseOrdering = "-created"


def _ensure_visible(user: UserLike, case_id: int) -> None:
    # Checked before the service runs so a case of a restricted team answers 404, not 403:
    # the response must not reveal that the id exists.
    if not Case.objects.visible_to(user).filter(pk=case_id).exists():
        raise CaseNotFound(_("Anliegen nicht gefunden."))


@router.get("/", response=with_errors({200: CasePage}), auth=READ)
def list_cases(
    request: HttpRequest, filters: Query[CaseFilter], page: Query[PageParams]
) -> dict[str, Any]:
    cases = queries.list_cases(
        user=acting_user(request),
        status=filters.status,
        team_id=filters.team,
        assignee_id=filters.assignee,
        unassigned=filters.unassigned,
        priority=filters.priority,
        channel=filters.channel,
        intent=filters.intent,
        customer_id=filters.customer,
        q=filters.q,
        sla=filters.sla,
        ordering=filters.ordering,
    )
    if filters.created_after is not None:
        cases = cases.filter(created_at__gte=filters.created_after)
    if filters.created_before is not None:
        cases = cases.filter(created_at__lt=filters.created_before)
    return paginate(cases, page)


@router.get("/{case_id}", response=with_errors({200: CaseDetailOut}), auth=READ)
def get_case(request: HttpRequest, case_id: int) -> Case:
    return queries.get_case_detail(user=acting_user(request), case_id=case_id)


@router.post("/", response=with_errors({201: CaseOut}), auth=WRITE)
def open_case(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    user = ensure_staff(request)
    case = services.open_case(
        subject=payload.subject,
        channel=payload.channel,
        customer_id=payload.customer_id,
        language=payload.language,
        intent=payload.intent,
        priority=payload.priority,
        tags=payload.tags,
        body_text=payload.body_text,
        body_html=payload.body_html,
        author_label=payload.author_label,
        route=payload.route,
        by=user,
    )
    return Status(201, case)


@router.post("/{case_id}/messages", response=with_errors({201: MessageOut}), auth=WRITE)
def add_message(request: HttpRequest, case_id: int, payload: MessageIn) -> Status[Message]:
    user = acting_user(request)
    _ensure_visible(user, case_id)
    message = services.add_message(
        case_id=case_id,
        direction=payload.direction,
        body_text=payload.body_text,
        body_html=payload.body_html,
        channel=payload.channel or "",
        by=user,
    )
    return Status(201, message)


@router.post("/{case_id}/messages/upload", response=with_errors({201: MessageOut}), auth=WRITE)
def add_message_with_attachments(
    request: HttpRequest,
    case_id: int,
    body_text: Form[str],
    files: File[list[UploadedFile]],
    direction: Form[Literal["inbound", "outbound"]] = "outbound",
) -> Status[Message]:
    """A message with attachments (multipart/form-data). Size and type are checked by the
    cases app (KV_MAX_ATTACHMENT_BYTES, no executables); a refused file refuses the message."""
    user = acting_user(request)
    _ensure_visible(user, case_id)
    uploads = [
        AttachmentUpload(
            filename=f.name or "datei",
            # Bounded: Django spools uploads to disk; the service rejects oversized files
            # before anything is stored.
            content=f.read(settings.KV_MAX_ATTACHMENT_BYTES + 1),
            declared_content_type=f.content_type or "",
        )
        for f in files
    ]
    message = services.add_message(
        case_id=case_id,
        direction=direction,
        body_text=body_text,
        by=user,
        attachments=uploads,
        max_attachment_bytes=settings.KV_MAX_ATTACHMENT_BYTES,
    )
    return Status(201, message)


@router.post("/{case_id}/notes", response=with_errors({201: MessageOut}), auth=WRITE)
def add_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Status[Message]:
    user = ensure_staff(request)
    _ensure_visible(user, case_id)
    return Status(201, services.add_note(case_id=case_id, body_text=payload.body_text, by=user))


@router.post("/{case_id}/status", response=with_errors({200: CaseOut}), auth=WRITE)
def change_status(request: HttpRequest, case_id: int, payload: StatusIn) -> Case:
    user = ensure_staff(request)
    _ensure_visible(user, case_id)
    return services.change_status(
        case_id=case_id, status=payload.status, by=user, expected_version=payload.expected_version
    )


@router.post("/{case_id}/assign", response=with_errors({200: CaseOut}), auth=WRITE)
def assign_case(request: HttpRequest, case_id: int, payload: AssignIn) -> Case:
    user = ensure_staff(request)
    _ensure_visible(user, case_id)
    return services.assign_case(
        case_id=case_id,
        agent_id=payload.agent_id,
        by=user,
        expected_version=payload.expected_version,
    )


@router.post("/{case_id}/merge", response=with_errors({200: CaseOut}), auth=WRITE)
def merge_case(request: HttpRequest, case_id: int, payload: MergeIn) -> Case:
    """Merge this case into ``target_id``; returns the surviving target case."""
    user = ensure_staff(request)
    _ensure_visible(user, case_id)
    _ensure_visible(user, payload.target_id)
    return services.merge_cases(source_id=case_id, target_id=payload.target_id, by=user)
