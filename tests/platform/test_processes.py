"""The real processes `make run` starts: the ASGI web server and the worker, as subprocesses.

Marked ``server``: they start the installed ``kundenversteher`` command on loopback against a
database of their own (a temporary SQLite file, or a fresh PostgreSQL database when the suite
runs on PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

pytestmark = [pytest.mark.server, pytest.mark.slow]

KV = str(Path(sys.executable).with_name("kundenversteher"))
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_admin(database: dict[str, Any], statement: str) -> None:
    """Run one statement outside a transaction on the server's maintenance database."""
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement)


@pytest.fixture
def platform_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a separate installation: own data dir and own database, migrated."""
    env = {
        **os.environ,
        "KV_DATA_DIR": str(tmp_path / "data"),
        "KV_SECRET_KEY": "process-test-secret",
        "KV_DEBUG": "0",
        "PYTHONPATH": str(REPO),  # the sample tasks of tests/lib
    }
    database = settings.DATABASES["default"]
    pg_name = ""
    if database["ENGINE"].endswith("postgresql"):
        pg_name = f"kv_proc_{uuid.uuid4().hex[:8]}"
        _pg_admin(database, f'CREATE DATABASE "{pg_name}"')
        env["KV_DATABASE_URL"] = (
            f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{pg_name}"
        )
    else:
        env.pop("KV_DATABASE_URL", None)
    subprocess.run([KV, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    subprocess.run([KV, "createcachetable"], env=env, check=True, timeout=60)
    yield env
    if pg_name:
        _pg_admin(database, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_for(url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _get(url)
        except OSError:
            time.sleep(0.3)
        else:
            return
    raise AssertionError(f"{url} did not answer within {seconds}s")


def test_the_web_server_serves_login_api_docs_and_health(platform_env, tmp_path):
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [KV, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=platform_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz")

        health = _get(f"{base}/healthz")
        login = _get(f"{base}/login/")
        docs = _get(f"{base}/api/docs")
        schema = _get(f"{base}/api/openapi.json")
        home = _get(f"{base}/")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    assert health == (200, '{"status": "ok", "database": "ok"}')
    assert login[0] == 200
    assert "csrfmiddlewaretoken" in login[1]
    assert docs[0] == 200
    assert "/api/openapi.json" in docs[1]
    assert schema[0] == 200
    assert '"/api/v1/cases/"' in schema[1]
    assert home[0] == 200  # redirects (followed by urllib) to the login page
    assert "csrfmiddlewaretoken" in home[1]


def _task_statuses(env: dict[str, str]) -> list[str]:
    """Read the task table directly (no Django start-up per poll)."""
    query = "SELECT status FROM django_tasks_database_dbtaskresult ORDER BY status"
    if "KV_DATABASE_URL" in env:
        with psycopg.connect(env["KV_DATABASE_URL"]) as conn:
            return [row[0] for row in conn.execute(query)]
    with sqlite3.connect(Path(env["KV_DATA_DIR"]) / "kv.sqlite3") as conn:
        return [row[0] for row in conn.execute(query)]


def _kv_shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [KV, "shell", "-c", code],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_a_worker_killed_mid_task_loses_nothing(platform_env):
    """SIGKILL while a task runs: the row stays RUNNING, recovery re-queues it, the next
    worker finishes it. The database, not the process, holds the work."""
    _kv_shell(
        platform_env,
        "from tests.lib.sample_tasks import slow_tick; from django.core.cache import cache;"
        "cache.set('ticks', 0, None); slow_tick.enqueue(8)",
    )
    worker = subprocess.Popen(
        [KV, "worker", "--interval", "0.2", "--no-periodic"],
        env=platform_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _task_statuses(platform_env) != ["RUNNING"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _task_statuses(platform_env) == ["RUNNING"]
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    requeued = _kv_shell(
        platform_env,
        "from datetime import timedelta; from kundenversteher.lib.tasks import "
        "recover_stale_tasks; print(recover_stale_tasks(older_than=timedelta(0)))",
    )
    subprocess.run(
        [KV, "worker", "--batch", "--interval", "0", "--no-periodic"],
        env=platform_env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    ticks = _kv_shell(
        platform_env, "from django.core.cache import cache; print(cache.get('ticks'))"
    )

    assert requeued == "1"
    assert _task_statuses(platform_env) == ["SUCCESSFUL"]
    assert ticks == "1"
