"""IMAP IDLE watcher process: one thread per active mailbox with "IMAP IDLE verwenden" on.

The mailbox list is re-read every minute: new mailboxes get a watcher, deactivated ones stop.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from kundenversteher.intake.mail import idle, queries


class Command(BaseCommand):
    help = "Postfächer per IMAP IDLE überwachen und neue Mails sofort abholen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reload-seconds", type=float, default=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        watchers: dict[int, tuple[threading.Thread, threading.Event]] = {}
        while not stop.is_set():
            wanted = set(queries.active_mailbox_ids(idle_only=True))
            close_old_connections()
            for mailbox_id in wanted - watchers.keys():
                own_stop = threading.Event()
                thread = threading.Thread(
                    target=idle.watch_mailbox,
                    kwargs={"mailbox_id": mailbox_id, "stop": own_stop},
                    name=f"kv-idle-{mailbox_id}",
                    daemon=True,
                )
                thread.start()
                watchers[mailbox_id] = (thread, own_stop)
                self.stdout.write(f"IDLE: Postfach {mailbox_id} wird überwacht")
            for mailbox_id in [m for m in watchers if m not in wanted]:
                watchers.pop(mailbox_id)[1].set()
            for mailbox_id, (thread, _own) in list(watchers.items()):
                if not thread.is_alive():  # deactivated mailbox: the watcher ended itself
                    watchers.pop(mailbox_id)
            stop.wait(options["reload_seconds"])
        for _thread, own_stop in watchers.values():
            own_stop.set()
        for thread, _own in watchers.values():
            thread.join(timeout=idle.CHECK_SECONDS + 5)
