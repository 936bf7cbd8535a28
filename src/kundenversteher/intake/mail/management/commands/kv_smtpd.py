"""Inbound SMTP server: mail servers deliver customer mail here instead of to an IMAP box."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kundenversteher.intake.mail.smtp_in import DEFAULT_MAX_BYTES, make_controller


class Command(BaseCommand):
    help = "SMTP-Empfang für Kundenmails starten (nur Adressen aktiver Postfächer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Adresse (Standard: nur lokal)")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)

    def handle(self, *args: Any, **options: Any) -> None:
        controller = make_controller(
            host=options["host"], port=options["port"], max_bytes=options["max_bytes"]
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"SMTP-Empfang auf {options['host']}:{options['port']}")
        try:
            stop.wait()
        finally:
            controller.stop()
