"""``kundenversteher demo``: load the demo company Brenner Wärmetechnik GmbH.

kundenversteher demo [--size tiny|small|large] [--seed N] [--reset] [--no-train]
kundenversteher demo --export-training FILE.csv [--samples N]
"""

from __future__ import annotations

import importlib
import inspect
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
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
        if options["no_train"] or report.already_loaded:
            return
        self._train(seed=seed)

    def _train(self, *, seed: int) -> None:
        try:
            training = importlib.import_module("kundenversteher.intelligence.training")
        except ModuleNotFoundError:
            self.stdout.write(
                "Intent-Modell nicht trainiert: kundenversteher.intelligence.training fehlt noch."
            )
            return
        train = getattr(training, "train_intents", None)
        if train is None:
            self.stdout.write("Intent-Modell nicht trainiert: train_intents fehlt.")
            return
        rows = list(services.training_rows(count=6_000, seed=seed))
        target = Path(settings.KV_MODEL_DIR) / "intents"
        params = inspect.signature(train).parameters
        # The training API is being written in parallel; pass what it asks for by name.
        offered: tuple[tuple[str, Any], ...] = (
            ("texts", [r[0] for r in rows]),
            ("labels", [r[1] for r in rows]),
            ("intents", [r[1] for r in rows]),
            ("languages", [r[2] for r in rows]),
            ("output_dir", target),
            ("out_dir", target),
            ("model_dir", target),
            ("seed", seed),
        )
        kwargs = {name: value for name, value in offered if name in params}
        started = time.perf_counter()
        try:
            result = train(**kwargs)
        except TypeError as exc:
            self.stdout.write(f"Intent-Modell nicht trainiert (Schnittstelle passt nicht): {exc}")
            return
        self.stdout.write(
            f"Intent-Modell trainiert in {time.perf_counter() - started:.1f} s → {target}"
            f" ({result})"
        )
