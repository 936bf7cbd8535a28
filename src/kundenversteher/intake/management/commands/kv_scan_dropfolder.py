"""``kundenversteher kv_scan_dropfolder``: look at the drop folder now, or keep looking.

The worker's periodic job ``intake.scan_drop_folder`` does the same; this command is for
installations without a worker schedule, for a shorter interval, and for trying a scanner setup.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kundenversteher.intake.letters import drop_folder, scan_drop_folder


class Command(BaseCommand):
    help = "Ablageordner für Briefe und Faxe einlesen (einmal oder fortlaufend)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--folder", type=Path, default=None, help="Ordner (Standard: KV_INTAKE_DROP_DIR)"
        )
        parser.add_argument("--watch", action="store_true", help="Fortlaufend einlesen, bis Strg+C")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="Sekunden zwischen zwei Blicken"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"] or drop_folder()
        # A file is taken at the second look that finds it unchanged: one run alone only notes
        # new files, so a single run looks twice.
        looks = 0
        try:
            while True:
                if options["watch"]:
                    # A long-running watcher drops connections the database has closed; a single
                    # run keeps the caller's connection (and its transaction) untouched.
                    close_old_connections()
                taken = scan_drop_folder(folder)
                looks += 1
                if taken:
                    self.stdout.write(f"{folder}: {taken} neue Datei(en) übernommen.")
                if not options["watch"] and looks >= 2:
                    break
                time.sleep(options["interval"] if options["watch"] else 1.0)
        except KeyboardInterrupt:
            self.stdout.write("Beendet.")
