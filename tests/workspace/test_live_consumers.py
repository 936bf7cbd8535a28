"""Websocket consumers: who may connect, which hints reach whom, presence on connect/disconnect.

Sync test functions drive the async code with ``async_to_sync``; the database is
``transactional_db``: Channels' ``database_sync_to_async`` closes a connection that is inside a
transaction (the ``db`` fixture's), which PostgreSQL then reports as "connection is closed".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from kundenversteher.cases import services
from kundenversteher.workspace.consumers import websocket_urlpatterns
from kundenversteher.workspace.models import AgentPresence
from tests.cases.factories import Personas, make_case, make_personas, make_rule

T = TypeVar("T")
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
CLOSED_FORBIDDEN = {"type": "websocket.close", "code": 4403}


@pytest.fixture(autouse=True)
def _fresh_layer_and_fast_tail(settings: Any) -> None:
    # A new in-memory layer per test (changing the setting resets Channels' cache).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.KV_LIVE_POLL_SECONDS = 0.05


@pytest.fixture
def people(transactional_db: None) -> Personas:
    people = make_personas()
    # Invoice questions go to the restricted Buchhaltung team (ben only).
    make_rule("Rechnungen", team=people.buchhaltung, intents=["invoice_copy"])
    return people


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return async_to_sync(scenario)()


def communicator_for(user: Any, path: str = "/ws/inbox/") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    return communicator


async def drain(communicator: WebsocketCommunicator, quiet: float = 0.6) -> list[dict]:
    """Every hint until the socket stays quiet (routing adds events of its own)."""
    hints = []
    while not await communicator.receive_nothing(timeout=quiet):
        hints.append(await communicator.receive_json_from())
    return hints


async def create(**kwargs: Any) -> Any:
    return await database_sync_to_async(make_case)(**kwargs)


def test_an_agent_gets_a_hint_when_a_case_for_her_team_is_created(people):
    async def scenario() -> dict:
        anna = communicator_for(people.anna)
        connected, _ = await anna.connect()
        assert connected
        case = await create(subject="Wärmepumpe piept", intent="device_fault", route=True)
        hints = await drain(anna)
        await anna.disconnect()
        return {"hints": hints, "case": case}

    result = run(scenario)

    case = result["case"]
    assert {h["case_id"] for h in result["hints"]} == {case.pk}
    assert result["hints"][0] == {
        "type": "case",
        "case_id": case.pk,
        "kind": "case.created",
        "number": case.number,
    }


def test_a_case_of_a_restricted_team_reaches_its_member_but_never_another_agent(people):
    async def scenario() -> tuple[list, list, Any]:
        anna = communicator_for(people.anna)
        ben = communicator_for(people.ben)
        assert (await anna.connect())[0]
        assert (await ben.connect())[0]
        secret = await create(subject="Rechnungskopie", intent="invoice_copy", route=True)
        public = await create(subject="Heizung", intent="device_fault", route=True)
        ben_hints = await drain(ben)
        anna_hints = await drain(anna)
        await anna.disconnect()
        await ben.disconnect()
        return anna_hints, ben_hints, (secret, public)

    anna_hints, ben_hints, (secret, public) = run(scenario)

    assert secret.team_id == people.buchhaltung.pk
    assert {h["case_id"] for h in anna_hints} == {public.pk}
    assert {h["case_id"] for h in ben_hints} == {secret.pk, public.pk}
    assert ("case.created", secret.number) in {(h["kind"], h["number"]) for h in ben_hints}


def test_a_reassignment_is_announced(people):
    async def scenario() -> tuple[dict, Any]:
        case = await create(subject="Heizung", intent="device_fault", route=False)
        sabine = communicator_for(people.sabine)
        assert (await sabine.connect())[0]
        await database_sync_to_async(services.assign_case)(
            case_id=case.pk,
            agent_id=people.anna.pk,
            by=people.sabine,
            expected_version=case.version,
        )
        hint = await sabine.receive_json_from(timeout=5)
        await sabine.disconnect()
        return hint, case

    hint, case = run(scenario)

    assert hint == {
        "type": "case",
        "case_id": case.pk,
        "kind": "case.assigned",
        "number": case.number,
    }


@pytest.mark.parametrize("who", ["anonymous", "clara"])
def test_only_staff_may_open_the_inbox_socket(people, who):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else people.clara

    async def scenario() -> dict:
        communicator = communicator_for(user)
        await communicator.connect()
        return await communicator.receive_output(timeout=5)

    assert run(scenario) == CLOSED_FORBIDDEN


def test_the_case_socket_refuses_a_case_the_agent_may_not_see(people):
    secret = make_case(subject="Rechnungskopie", intent="invoice_copy", route=True)

    async def scenario() -> tuple[dict, bool]:
        anna = communicator_for(people.anna, f"/ws/cases/{secret.pk}/")
        ben = communicator_for(people.ben, f"/ws/cases/{secret.pk}/")
        await anna.connect()
        anna_output = await anna.receive_output(timeout=5)
        await ben.connect()
        ben_quiet = await ben.receive_nothing(timeout=0.3)
        await ben.disconnect()
        return anna_output, ben_quiet

    assert run(scenario) == (CLOSED_FORBIDDEN, True)


def test_the_case_socket_only_hears_about_its_own_case(people):
    watched = make_case(subject="Heizung", intent="device_fault", route=False)
    other = make_case(subject="Anderes", intent="device_fault", route=False)

    async def scenario() -> tuple[dict, bool]:
        anna = communicator_for(people.anna, f"/ws/cases/{watched.pk}/")
        assert (await anna.connect())[0]
        await database_sync_to_async(services.add_note)(
            case_id=other.pk, body_text="intern", by=people.anna
        )
        await database_sync_to_async(services.add_note)(
            case_id=watched.pk, body_text="intern", by=people.anna
        )
        hint = await anna.receive_json_from(timeout=5)
        nothing_more = await anna.receive_nothing(timeout=0.5)
        await anna.disconnect()
        return hint, nothing_more

    hint, nothing_more = run(scenario)

    assert hint["case_id"] == watched.pk
    assert nothing_more


def test_presence_follows_connect_heartbeat_and_disconnect(people):
    async def scenario() -> tuple[int, dict, int]:
        anna = communicator_for(people.anna)
        assert (await anna.connect())[0]
        connected = await database_sync_to_async(
            lambda: AgentPresence.objects.get(user=people.anna).connections
        )()
        await anna.send_json_to({"type": "heartbeat"})
        reply = await anna.receive_json_from(timeout=5)
        await anna.disconnect()
        after = await database_sync_to_async(
            lambda: AgentPresence.objects.get(user=people.anna).connections
        )()
        return connected, reply, after

    assert run(scenario) == (1, {"type": "heartbeat"}, 0)


def test_a_deactivated_agent_is_disconnected_at_the_next_heartbeat(people):
    async def scenario() -> dict:
        anna = communicator_for(people.anna)
        assert (await anna.connect())[0]
        # Another object than the socket's: the consumer must re-read the account.
        await database_sync_to_async(
            lambda: type(people.anna).objects.filter(pk=people.anna.pk).update(is_active=False)
        )()
        await anna.send_json_to({"type": "heartbeat"})
        return await anna.receive_output(timeout=5)

    assert run(scenario) == CLOSED_FORBIDDEN


# --- the full ASGI stack: session cookie, origin check --------------------------------------


def _session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def test_the_project_application_authenticates_the_socket_with_the_session_cookie(people):
    from kundenversteher.asgi import application

    cookie = _session_cookie(people.anna)

    async def scenario() -> tuple[bool, dict]:
        with_cookie = WebsocketCommunicator(
            application, "/ws/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        without_cookie = WebsocketCommunicator(application, "/ws/inbox/", headers=[ORIGIN])
        await with_cookie.connect()
        quiet = await with_cookie.receive_nothing(timeout=0.3)
        await with_cookie.disconnect()
        await without_cookie.connect()
        return quiet, await without_cookie.receive_output(timeout=5)

    assert run(scenario) == (True, CLOSED_FORBIDDEN)


def test_the_project_application_refuses_a_foreign_origin(people):
    from kundenversteher.asgi import application

    cookie = _session_cookie(people.anna)

    async def scenario() -> bool:
        foreign = WebsocketCommunicator(
            application,
            "/ws/inbox/",
            headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)],
        )
        connected, _ = await foreign.connect()
        await foreign.disconnect()
        return connected

    assert run(scenario) is False


def test_logging_out_closes_the_socket_at_the_next_heartbeat(people):
    from kundenversteher.asgi import application

    client = Client()
    client.force_login(people.anna)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}".encode()

    async def scenario() -> tuple[dict, dict]:
        socket = WebsocketCommunicator(
            application, "/ws/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "heartbeat"})
        still_in = await socket.receive_json_from(timeout=5)
        await database_sync_to_async(client.logout)()
        await socket.send_json_to({"type": "heartbeat"})
        return still_in, await socket.receive_output(timeout=5)

    assert run(scenario) == ({"type": "heartbeat"}, CLOSED_FORBIDDEN)
