"""``kundenversteher serve``: the ASGI web server (HTTP and websockets) via Daphne."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from daphne.cli import CommandLineInterface
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Webserver starten (ASGI: HTTP und WebSockets)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        CommandLineInterface().run(
            ["-b", options["host"], "-p", str(options["port"]), "kundenversteher.asgi:application"]
        )
