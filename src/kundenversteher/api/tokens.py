"""/api/v1/tokens: a signed-in user manages their own API tokens from the browser.

Session only: a token cannot mint or revoke tokens, so a leaked token cannot entrench itself.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from kundenversteher.api import services
from kundenversteher.api.auth import BrowserSessionAuth, acting_user
from kundenversteher.api.errors import InvalidInputError, ResourceNotFoundError
from kundenversteher.api.models import ApiToken
from kundenversteher.api.schemas import TokenCreatedOut, TokenIn, TokenOut, with_errors

router = Router(tags=["tokens"], auth=[BrowserSessionAuth()])


@router.get("/", response=with_errors({200: list[TokenOut]}))
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user_id=acting_user(request).pk).order_by("-id"))


@router.post("/", response=with_errors({201: TokenCreatedOut}))
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    user = acting_user(request)
    if payload.expires_at is not None and payload.expires_at <= timezone.now():
        raise InvalidInputError(_("Das Ablaufdatum muss in der Zukunft liegen."))
    token, secret = services.create_token(
        user=user, name=payload.name, scopes=payload.scopes, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "secret": secret})


@router.post("/{token_id}/revoke", response=with_errors({200: TokenOut}))
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    user = acting_user(request)
    if not ApiToken.objects.filter(id=token_id, user_id=user.pk).exists():
        raise ResourceNotFoundError(_("Token nicht gefunden."))
    return services.revoke_token(token_id=token_id, by=user)
