"""``kundenversteher demo``: load the demo company Brenner Wärmetechnik GmbH.

kundenversteher demo [--size tiny|small|large] [--seed N] [--reset] [--no-train]
kundenversteher demo --export-training FILE.csv [--samples N]
"""

from __future__ import annotations

import importlib
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kundenversteher.demo import company, services


class Command(BaseCommand):
    help = "Lädt die Demo-Firma Brenner Wärmetechnik GmbH (idempotent; --reset löscht vorher)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--size", choices=sorted(services.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reset", action="store_true", help="Demo-Daten vorher löschen")
        parser.add_argument(
            "--bulk-cases",
            type=int,
            default=None,
            help="Anzahl Massendaten-Anliegen (Standard: 1 000 000 bei --size large)",
        )
        parser.add_argument("--export-training", type=Path, metavar="FILE.csv")
        parser.add_argument("--samples", type=int, default=20_000, help="Zeilen für den Export")
        parser.add_argument("--no-train", action="store_true", help="kein Intent-Modell trainieren")
        parser.add_argument(
            "--train-samples", type=int, default=2_000, help="Beispiele für das Intent-Modell"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed: int = options["seed"]
        if options["export_training"] is not None:
            path: Path = options["export_training"]
            written = services.export_training(path, count=options["samples"], seed=seed)
            self.stdout.write(f"{written} Trainingsbeispiele nach {path} geschrieben.")
            return
        try:
            report = services.load_demo(
                size=options["size"],
                seed=seed,
                reset=options["reset"],
                bulk_cases=options["bulk_cases"],
                progress=lambda msg: self.stdout.write(f"  {msg}"),
                show_bar=options["verbosity"] > 0,
            )
        except services.DemoResetRefusedError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{k}={v}" for k, v in report.counts.items())
        total = sum(report.seconds.get(k, 0.0) for k in ("reset", "base", "bulk"))
        self.stdout.write(self.style.SUCCESS(f"Demo-Firma bereit ({total:.1f} s): {counts}"))
        self.stdout.write(f"Anmeldungen (Passwort für alle: {company.DEMO_PASSWORD}):")
        for role, username, _password in report.logins:
            self.stdout.write(f"  {role:<10} {username}")
        has_model = (Path(settings.KV_MODEL_DIR) / "intents" / "report.json").is_file()
        if options["no_train"] or (report.already_loaded and has_model):
            return
        self._train(seed=seed, samples=options["train_samples"])

    def _train(self, *, seed: int, samples: int) -> None:
        """Train and promote the demo company's intent model via ``kundenversteher train``."""
        try:
            importlib.import_module("kundenversteher.intelligence.training")
        except ModuleNotFoundError:
            self.stdout.write(
                "Intent-Modell nicht trainiert: kundenversteher.intelligence.training fehlt."
            )
            return
        with tempfile.TemporaryDirectory(prefix="kv-demo-") as tmp:
            data = Path(tmp) / "demo-intents.csv"
            services.export_training(data, count=samples, seed=seed)
            started = time.perf_counter()
            try:
                call_command(
                    "kv_train", "intents", "--data", str(data), "--language-col", "language",
                    "--seed", str(seed), "--promote", stdout=self.stdout,
                )  # fmt: skip
            except CommandError as exc:  # unknown command, or a better model is already there
                self.stdout.write(f"Intent-Modell nicht übernommen: {exc}")
                return
        target = Path(settings.KV_MODEL_DIR) / "intents"
        self.stdout.write(
            f"Intent-Modell der Demo-Firma trainiert in {time.perf_counter() - started:.0f} s"
            f" → {target}"
        )
