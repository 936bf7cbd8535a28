"""The real worker is killed with SIGKILL while it works through a batch of inbound mails.

After a restart (stale-task recovery plus the intake sweeper, as the periodic jobs would do
them) every inbound message must end ``done`` with exactly one case message: nothing lost,
nothing filed twice.

The worker is slowed down by ``KV_TEST_INTAKE_STEP_DELAY`` (seconds of sleep in the understand
step), a setting that exists only in the settings module this test writes for its subprocesses;
production settings do not define it, so the pipeline never sleeps there.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from tests.platform.test_processes import KV, _kv_shell, platform_env  # noqa: F401 - fixture

pytestmark = [pytest.mark.server, pytest.mark.slow]

MAILS = 30
STEP_DELAY_SECONDS = 0.4

_SETTINGS = f"""
from kundenversteher.settings import *  # noqa: F403 - the real settings plus one test hook

KV_TEST_INTAKE_STEP_DELAY = {STEP_DELAY_SECONDS}
"""

_RECEIVE = f"""
from email.message import EmailMessage
from kundenversteher.intake.services import receive
for i in range({MAILS}):
    m = EmailMessage()
    m["From"] = f"Kunde {{i}} <kunde{{i}}@example.de>"
    m["To"] = "service@brenner-waermetechnik.de"
    m["Subject"] = f"Frage {{i}} zur Wärmepumpe"
    m["Message-ID"] = f"<kill-test-{{i}}@example.de>"
    m.set_content(f"Guten Tag, meine Wärmepumpe Nummer {{i}} zeigt einen Fehler. Bitte melden.")
    receive(channel="email", raw=m.as_bytes(), source="imap:Service/INBOX")
print("ok")
"""


def _query(env: dict[str, str], sql: str) -> list[tuple[object, ...]]:
    """Read the database directly (no Django start-up per poll)."""
    if "KV_DATABASE_URL" in env:
        with psycopg.connect(env["KV_DATABASE_URL"]) as conn:
            return list(conn.execute(sql))
    with sqlite3.connect(Path(env["KV_DATA_DIR"]) / "kv.sqlite3", timeout=30) as conn:
        return list(conn.execute(sql))


def _states(env: dict[str, str]) -> dict[str, int]:
    rows = _query(env, "SELECT state, COUNT(*) FROM intake_inboundmessage GROUP BY state")
    return {str(state): int(count) for state, count in rows}


def test_a_worker_killed_mid_batch_files_every_mail_exactly_once(platform_env, tmp_path):  # noqa: F811
    (tmp_path / "kv_kill_settings.py").write_text(_SETTINGS)
    env = {
        **platform_env,
        "DJANGO_SETTINGS_MODULE": "kv_kill_settings",
        "PYTHONPATH": f"{tmp_path}:{platform_env['PYTHONPATH']}",
    }
    assert _kv_shell(env, _RECEIVE) == "ok"
    assert _states(env) == {"received": MAILS}

    worker = subprocess.Popen(
        [KV, "worker", "--interval", "0.2", "--no-periodic"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    states = _states(env)
    # Kill once a few mails are filed and one is half-way through the pipeline.
    while time.monotonic() < deadline and not (
        states.get("done", 0) >= 3 and states.get("processing", 0) == 1
    ):
        time.sleep(0.05)
        states = _states(env)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    at_kill = _states(env)

    recovered = _kv_shell(
        env,
        "from datetime import timedelta; from kundenversteher.lib.tasks import "
        "recover_stale_tasks; from kundenversteher.intake.services import requeue_stale_inbound;"
        "recover_stale_tasks(older_than=timedelta(0));"
        "print(requeue_stale_inbound(older_than=timedelta(0)))",
    )
    subprocess.run(
        [KV, "worker", "--batch", "--interval", "0", "--no-periodic"],
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
    )

    assert at_kill.get("processing") == 1
    assert 3 <= at_kill.get("done", 0) < MAILS
    # The half-processed mail and every mail not yet picked up were re-nudged.
    assert int(recovered) == MAILS - at_kill["done"]
    assert _states(env) == {"done": MAILS}
    (case_messages,) = _query(
        env, "SELECT COUNT(*), COUNT(DISTINCT raw_ref) FROM cases_message WHERE direction='inbound'"
    )
    assert case_messages == (MAILS, MAILS)
    (linked,) = _query(
        env,
        "SELECT COUNT(DISTINCT case_message_id) FROM intake_inboundmessage "
        "WHERE case_message_id IS NOT NULL",
    )
    assert linked == (MAILS,)
