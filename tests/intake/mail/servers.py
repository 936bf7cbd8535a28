"""Real mail servers on loopback for the tests and benchmarks/intake.py.

- ``Dovecot``: a private instance of Debian's ``dovecot-imapd`` from a generated config in a
  temporary folder (one shared password, Maildir, plaintext login on 127.0.0.1, no TLS). It can be
  killed and restarted on the same port (the "IMAP server restarts during a fetch" test).
- ``SmtpSink``: an aiosmtpd ``Controller`` in this process that keeps every received message;
  ``stop()``/``start()`` simulate an SMTP server that is down.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def dovecot_available() -> bool:
    return Path(DOVECOT).exists()


@dataclass
class Dovecot:
    root: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # Every user name logs in with this one password: each test simply uses a fresh name
    # (a passwd-file is re-read by mtime and misses users added within the same second).
    password: str = "geheim-imap-passwort"

    def _accounts(self) -> tuple[str, str, int, int]:
        """(internal user, login user, mail uid, mail gid). Dovecot refuses root for these."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
        mail_user = pwd.getpwnam("dovecot")
        login_user = "dovenull" if _user_exists("dovenull") else "dovecot"
        return "dovecot", login_user, mail_user.pw_uid, mail_user.pw_gid

    def write_config(self) -> Path:
        internal, login, uid, gid = self._accounts()
        (self.root / "run").mkdir(parents=True, exist_ok=True)
        mail = self.root / "mail"
        mail.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            # Dovecot's auth and mail processes run as its own users and must reach these.
            self.root.chmod(0o755)
            os.chown(mail, uid, gid)
        conf = self.root / "dovecot.conf"
        conf.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/run/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{mail}/%u
passdb {{
  driver = static
  args = password={self.password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""",
            encoding="utf-8",
        )
        return conf

    def start(self) -> None:
        conf = self.write_config()
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def kill(self) -> None:
        """Hard stop of the whole server (master and its imap processes)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None
        self._wait_port_free()

    def _wait_port_free(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.05)
            except OSError:
                return

    def restart(self) -> None:
        self.kill()
        self.start()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class _Collect:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.sink.received.append(
            (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        return "250 OK"


@dataclass
class SmtpSink:
    port: int = field(default_factory=free_port)
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[Message]:
        return [message_from_bytes(raw, policy=default_policy) for _f, _t, raw in self.received]
