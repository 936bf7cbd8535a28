"""Websocket endpoints of the workspace: ``/ws/inbox/`` and ``/ws/cases/<id>/``.

Staff only (admin, supervisor, agent); anyone else is closed with code 4403 right after the
handshake and receives nothing.
The browser receives hints ``{"type": "case", "case_id", "kind", "number"}`` — only for cases the
user may see *at the moment of the event* (checked per event with ``Case.objects.visible_to``),
never the case's content: the page fetches what it shows through the normal, access-checked
views. The browser sends ``{"type": "heartbeat"}`` every 30 s (presence); each heartbeat re-reads
the session and the account, so a logout or a deactivation closes the socket within 30 s.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.urls import path

from kundenversteher.cases.access import is_staff_role, role_of
from kundenversteher.cases.models import Case
from kundenversteher.workspace import live, presence

# Close codes (4000–4999 are free for applications): the browser stops reconnecting on these.
CLOSE_FORBIDDEN = 4403


def _is_staff(user: Any) -> bool:
    return is_staff_role(role_of(user))


def _can_see(user: Any, case_id: int) -> bool:
    return Case.objects.visible_to(user).filter(pk=case_id).exists()


def _current_user(scope: dict[str, Any]) -> Any:
    """The user as of now, not as of the handshake: the session may have ended (logout, password
    change) and the account may have been deactivated since."""
    session = scope.get("session")
    if session is not None and getattr(session, "session_key", None):
        # A fresh store: the scope's one holds the data read at connect time.
        store = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
        return auth.get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
    user = scope.get("user")
    if user is None or user.pk is None:
        return AnonymousUser()
    return type(user)._default_manager.filter(pk=user.pk).first() or AnonymousUser()


class InboxConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Hints about every visible case that changes (for the inbox and presence)."""

    groups_to_join: tuple[str, ...] = (live.CASES_GROUP,)
    user: Any = None
    user_id: int | None = None

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated or not await self.allowed():
            # Accept, then close with our code: a refused handshake looks like a network error
            # to the browser (1006) and live.js would keep retrying.
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id = int(self.user.pk)
        for group in self.live_groups():
            await self.channel_layer.group_add(group, self.channel_name)
        # Before accepting: whatever happens once the browser sees "open" is delivered.
        await live.ensure_tail()
        await self.accept()
        await database_sync_to_async(presence.mark_connected)(user_id=self.user_id)

    async def allowed(self) -> bool:
        return bool(await database_sync_to_async(_is_staff)(self.user))

    def live_groups(self) -> tuple[str, ...]:
        return self.groups_to_join

    async def disconnect(self, code: int) -> None:
        if self.user_id is None:
            return
        for group in self.live_groups():
            await self.channel_layer.group_discard(group, self.channel_name)
        await database_sync_to_async(presence.mark_disconnected)(user_id=self.user_id)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "heartbeat":
            return
        # Logged out, deactivated or no longer staff: the connection ends at the next heartbeat.
        self.user = await database_sync_to_async(_current_user)(self.scope)
        if self.user.pk != self.user_id or not await self.allowed():
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if self.user_id is not None:
            await database_sync_to_async(presence.mark_seen)(user_id=self.user_id)
        await self.send_json({"type": "heartbeat"})

    async def case_event(self, message: dict[str, Any]) -> None:
        case_id = int(message["case_id"])
        if not await database_sync_to_async(_can_see)(self.user, case_id):
            return
        await self.send_json(
            {
                "type": "case",
                "case_id": case_id,
                "kind": str(message["kind"]),
                "number": str(message.get("number", "")),
            }
        )


class CaseConsumer(InboxConsumer):
    """Hints about one case (the case view shows "Neue Nachricht – neu laden")."""

    case_id: int = 0

    async def allowed(self) -> bool:
        self.case_id = int(self.scope["url_route"]["kwargs"]["case_id"])
        if not await super().allowed():
            return False
        # An invisible case is refused like a missing one: nothing to learn by guessing ids.
        return bool(await database_sync_to_async(_can_see)(self.user, self.case_id))

    def live_groups(self) -> tuple[str, ...]:
        return (live.case_group(self.case_id),)


websocket_urlpatterns = [
    path("ws/inbox/", InboxConsumer.as_asgi(), name="ws-inbox"),
    path("ws/cases/<int:case_id>/", CaseConsumer.as_asgi(), name="ws-case"),
]
