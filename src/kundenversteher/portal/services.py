"""Writes of the portal: issuing and redeeming magic login links.

A link is a random token (``secrets.token_urlsafe``, 256 bits); only its SHA-256 is stored.
Redeeming is a conditional UPDATE (``used_at IS NULL AND expires_at > now``), so a link works
exactly once even when two requests race. Only customers (users linked to a ``Customer``, not
staff) can receive or redeem a link.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kundenversteher.cases.access import CUSTOMER_ROLE, role_of
from kundenversteher.customers.models import Customer, CustomerIdentity
from kundenversteher.events.services import record
from kundenversteher.portal.errors import InvalidLoginLink
from kundenversteher.portal.models import PortalLoginToken

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IssuedLink:
    token_id: int
    user_id: int
    url: str


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def _portal_users(email: str) -> QuerySet[User]:
    """Active customer logins known under this address (user e-mail or a customer identity)."""
    address = email.strip().lower()
    return (
        get_user_model()
        .objects.filter(
            customer__isnull=False,
            customer__erased_at__isnull=True,
            is_active=True,
            is_staff=False,
            is_superuser=False,
            agent_profile__isnull=True,
        )
        .filter(
            Q(email__iexact=address)
            | Q(
                customer__identities__kind=CustomerIdentity.Kind.EMAIL,
                customer__identities__value=address,
            )
        )
        .distinct()
        .order_by("pk")
    )


def request_login_link(
    *,
    email: str,
    link_base: str,
    valid_minutes: int,
    now: datetime | None = None,
) -> list[IssuedLink]:
    """Issue and mail a login link to every customer login known under ``email``.

    Returns the issued links (empty for an unknown address); the caller must answer the same
    either way. ``link_base`` is the absolute URL prefix of the confirmation page, the token is
    appended. The mail leaves after the transaction committed.
    """
    now = now or timezone.now()
    issued: list[tuple[IssuedLink, User, Customer]] = []
    with transaction.atomic():
        for user in _portal_users(email):
            customer = Customer.objects.get(user_id=user.pk)
            raw = secrets.token_urlsafe(32)
            token = PortalLoginToken.objects.create(
                user=user,
                token_hash=hash_token(raw),
                created_at=now,
                expires_at=now + timedelta(minutes=valid_minutes),
            )
            record(
                "portal.login_link_requested",
                actor=None,
                channel="web",
                customer_id=customer.pk,
                subject=token,
                data={"token_id": token.pk, "valid_minutes": valid_minutes},
                occurred_at=now,
            )
            link = IssuedLink(token_id=token.pk, user_id=int(user.pk), url=f"{link_base}{raw}/")
            issued.append((link, user, customer))
    for link, user, customer in issued:
        _send_link_mail(link=link, user=user, customer=customer, valid_minutes=valid_minutes)
    return [link for link, _user, _customer in issued]


def _send_link_mail(
    *, link: IssuedLink, user: AbstractBaseUser, customer: Customer, valid_minutes: int
) -> None:
    context = {"customer": customer, "url": link.url, "minutes": valid_minutes}
    with translation.override(customer.preferred_language or "de"):
        subject = render_to_string("portal/mail/login_link_subject.txt", context).strip()
        body = render_to_string("portal/mail/login_link.txt", context)
    address = str(getattr(user, "email", "")) or _identity_email(customer)
    if not address:
        logger.warning(
            "portal login link %s: customer %s has no address", link.token_id, customer.pk
        )
        return
    send_mail(subject, body, None, [address])


def _identity_email(customer: Customer) -> str:
    value = (
        CustomerIdentity.objects.filter(customer=customer, kind=CustomerIdentity.Kind.EMAIL)
        .order_by("-verified", "id")
        .values_list("value", flat=True)
        .first()
    )
    return value or ""


def redeem_login_token(*, raw_token: str, now: datetime | None = None) -> User:
    """Consume the link and return its user, or raise :class:`InvalidLoginLink`.

    The conditional UPDATE is the lock: of two concurrent redemptions exactly one sees a changed
    row. The user is checked after consuming: a link of a user who became staff or inactive is
    burnt without logging in.
    """
    now = now or timezone.now()
    digest = hash_token(raw_token)
    with transaction.atomic():
        claimed = PortalLoginToken.objects.filter(
            token_hash=digest, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if claimed != 1:
            raise InvalidLoginLink()
        token = PortalLoginToken.objects.select_related("user").get(token_hash=digest)
        user = token.user
        allowed = user.is_active and not user.is_staff and role_of(user) == CUSTOMER_ROLE
        if allowed:
            customer_id = (
                Customer.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
            )
            record(
                "portal.logged_in",
                actor=user,
                actor_kind="customer",
                channel="web",
                customer_id=customer_id,
                subject=token,
                data={"token_id": token.pk},
                occurred_at=now,
            )
    if not allowed:  # raised after the commit: the link stays burnt
        raise InvalidLoginLink()
    return user
