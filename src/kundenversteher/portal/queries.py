"""Reads of the portal. Every case query is restricted twice: ``visible_to`` (the access rules
of the cases app) and ``customer__user`` (the portal shows a customer's own cases only, even to a
user who is also something else)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from kundenversteher.cases.access import UserLike
from kundenversteher.cases.errors import CaseNotFound
from kundenversteher.cases.models import Attachment, Case, CaseQuerySet, Message
from kundenversteher.portal.models import PortalLoginToken
from kundenversteher.portal.services import hash_token


def login_token_is_valid(*, raw_token: str, now: datetime | None = None) -> bool:
    """Whether the link could be redeemed now (the confirmation page; does not consume it)."""
    now = now or timezone.now()
    return PortalLoginToken.objects.filter(
        token_hash=hash_token(raw_token), used_at__isnull=True, expires_at__gt=now
    ).exists()


def _own_cases(user: UserLike) -> CaseQuerySet:
    if user is None or user.pk is None:
        # filter(customer__user_id=None) would match every case of a customer without login.
        return Case.objects.none()
    return Case.objects.visible_to(user).filter(customer__user_id=user.pk)


def list_customer_cases(*, user: UserLike) -> CaseQuerySet:
    """The customer's cases, most recently changed first."""
    return _own_cases(user).order_by("-updated_at", "-id")


def get_customer_case(*, user: UserLike, number: str) -> Case:
    """The case with its conversation as the customer may see it: internal notes left out.

    ``case.portal_messages`` holds the messages (with attachments), oldest first.
    """
    conversation = (
        Message.objects.exclude(direction=Message.Direction.NOTE)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    try:
        return (
            _own_cases(user)
            .prefetch_related(
                Prefetch("messages", queryset=conversation, to_attr="portal_messages")
            )
            .get(number=number.strip().upper())
        )
    except Case.DoesNotExist as exc:
        raise CaseNotFound(_("Anliegen nicht gefunden.")) from exc


def get_customer_attachment(*, user: UserLike, number: str, attachment_id: int) -> Attachment:
    """An attachment of a customer-visible message of the customer's own case."""
    try:
        return (
            Attachment.objects.select_related("message__case")
            .exclude(message__direction=Message.Direction.NOTE)
            .filter(message__case__in=_own_cases(user).filter(number=number.strip().upper()))
            .get(pk=attachment_id)
        )
    except Attachment.DoesNotExist as exc:
        raise CaseNotFound(_("Anhang nicht gefunden.")) from exc
