"""``kundenversteher kv_kb_import PATH...``: import Markdown/HTML articles (folders recursively)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundenversteher.knowledge.services import import_files

SUFFIXES = (".md", ".markdown", ".html", ".htm")


def expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        elif path.exists():
            files.append(path)
        else:
            raise CommandError(f"Nicht gefunden: {path}")
    return files


class Command(BaseCommand):
    help = "Importiert Wissensartikel aus Markdown- und HTML-Dateien (Ordner rekursiv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Dateien oder Ordner")

    def handle(self, *args: Any, **options: Any) -> None:
        files = expand(options["paths"])
        if not files:
            raise CommandError("Keine .md- oder .html-Dateien gefunden.")
        created = updated = unchanged = failed = 0
        for number, path in enumerate(files, start=1):
            # One file per call: progress appears as it goes, and a broken file stops nothing.
            result = import_files([path]).files[0]
            status = self.style.SUCCESS("ok") if result.ok else self.style.ERROR("FEHLER")
            self.stdout.write(f"[{number}/{len(files)}] {status} {path}: {result.message}")
            if not result.ok:
                failed += 1
            elif result.created:
                created += 1
            elif result.changed:
                updated += 1
            else:
                unchanged += 1
        self.stdout.write(
            f"{len(files)} Dateien: {created} neu, {updated} geändert, "
            f"{unchanged} unverändert, {failed} fehlerhaft."
        )
        if failed:
            raise CommandError(f"{failed} Datei(en) nicht importiert.")
