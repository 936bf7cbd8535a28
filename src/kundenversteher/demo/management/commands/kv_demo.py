"""``kundenversteher demo``: load the demo company Brenner Wärmetechnik GmbH.

kundenversteher demo [--size tiny|small|large] [--seed N] [--reset] [--no-train] [--no-inbox]
kundenversteher demo --export-training FILE.csv [--samples N]
"""

from __future__ import annotations

import importlib
import os
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from kundenversteher.demo import company, inbox, services
from kundenversteher.demo.automation import DEMO_INTENTS, enable_demo_automation
from kundenversteher.demo.knowledge import load_articles
from kundenversteher.intake.letters import drop_folder


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
        parser.add_argument(
            "--no-inbox", action="store_true", help="keine frischen Demo-E-Mails an den Eingang"
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
        if not (options["no_train"] or (report.already_loaded and has_model)):
            self._train(seed=seed, samples=options["train_samples"])
        # Articles are embedded by the worker (reindex tasks); automatic answers go live for the
        # standard intents before the inbox arrives, so Clara's question is answered at once.
        added = load_articles()
        enable_demo_automation()
        self.stdout.write(
            f"Wissensdatenbank: {added} neue Artikel. Automatische Antworten live für: "
            + ", ".join(DEMO_INTENTS)
        )
        # After training: the worker then understands the demo inbox with the company's model.
        if not options["no_inbox"]:
            result = inbox.fill_inbox(seed=seed)
            self.stdout.write(
                f"Demo-Posteingang: {result.received} neue E-Mails an die Eingangsverarbeitung"
                f" übergeben ({result.duplicates} bereits vorhanden); der Worker legt daraus"
                " Anliegen an."
            )
        self._summary()

    def _summary(self) -> None:
        """Where to look: the printed map of the demo for the first five minutes."""
        base = (
            f"http://{os.environ.get('KV_HOST', '127.0.0.1')}:{os.environ.get('KV_PORT', '8000')}"
        )
        mail_dir = getattr(settings, "EMAIL_FILE_PATH", None)
        login_mail = (
            f"die Anmeldelinks landen als Dateien in {mail_dir} (kein SMTP-Server eingerichtet)"
            if mail_dir
            else "die Anmeldelinks gehen per SMTP hinaus"
        )
        mailboxes = reverse("admin:intake_mail_mailbox_changelist")
        lines = (
            f"  Posteingang (Mitarbeitende): {base}{reverse('workspace:inbox')}",
            f"  Kontaktformular: {base}{reverse('portal:contact')}",
            f"  Hilfe-Center: {base}{reverse('portal:help')}",
            f"  Kundenportal (clara): {base}{reverse('portal:login')} – {login_mail}",
            f"  Briefe/Scans (PDF, Bilder) einwerfen in: {drop_folder()}",
            f"  Echte Postfächer: Admin → E-Mail-Postfächer ({base}{mailboxes})",
        )
        self.stdout.write("Demo ansehen:")
        for line in lines:
            self.stdout.write(line)

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
