"""/api/v1/messages: messages of the cases the caller can see (notes included for staff)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from kundenversteher.api.auth import acting_user, requires
from kundenversteher.api.models import Scope
from kundenversteher.api.pagination import PageParams, paginate
from kundenversteher.api.schemas import MessageOut, MessagePage, with_errors
from kundenversteher.cases.access import CUSTOMER_ROLE, role_of
from kundenversteher.cases.errors import CaseNotFound
from kundenversteher.cases.models import Case, Message

router = Router(tags=["messages"])
READ = requires(Scope.CASES_READ)


def _visible_messages(request: HttpRequest) -> Any:
    user = acting_user(request)
    messages = Message.objects.filter(
        case__in=Case.objects.visible_to(user).values("id")
    ).prefetch_related("attachments")
    if role_of(user) == CUSTOMER_ROLE:
        # Internal notes are for staff only.
        messages = messages.exclude(direction=Message.Direction.NOTE)
    return messages


@router.get("/", response=with_errors({200: MessagePage}), auth=READ)
def list_messages(request: HttpRequest, case_id: int, page: Query[PageParams]) -> dict[str, Any]:
    messages = _visible_messages(request).filter(case_id=case_id).order_by("created_at", "id")
    return paginate(messages, page)


@router.get("/{message_id}", response=with_errors({200: MessageOut}), auth=READ)
def get_message(request: HttpRequest, message_id: int) -> Message:
    message: Message | None = _visible_messages(request).filter(id=message_id).first()
    if message is None:
        raise CaseNotFound(_("Nachricht nicht gefunden."))
    return message
