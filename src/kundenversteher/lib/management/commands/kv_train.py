"""``kundenversteher train intents|sentiment --data FILE.csv [--out DIR] [--promote] [--force]``."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kundenversteher.intelligence.artefacts import (
    INTENTS_DIR,
    SENTIMENT_DIR,
    ArtefactError,
    PromotionRefusedError,
    promote,
)
from kundenversteher.intelligence.training import train_intents, train_sentiment

DEFAULT_LABEL_COL = {"intents": "intent", "sentiment": "sentiment"}


class Command(BaseCommand):
    help = "Trainiert ein Intent- oder Sentiment-Modell aus einer CSV-Datei."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=["intents", "sentiment"])
        parser.add_argument("--data", type=Path, required=True, help="CSV mit Text und Label")
        parser.add_argument("--out", type=Path, help="neues Artefaktverzeichnis")
        parser.add_argument("--text-col", default="text")
        parser.add_argument("--label-col", help="Standard: intent bzw. sentiment")
        parser.add_argument("--language-col", help="optionale Sprachspalte (de, en, ...)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--cascade", action="store_true", help="zweite, schwerere Stufe")
        parser.add_argument(
            "--promote", action="store_true", help="als aktuelles Modell übernehmen"
        )
        parser.add_argument("--force", action="store_true", help="auch wenn schlechter")

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        model_dir = Path(settings.KV_MODEL_DIR)
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S%fZ")
        out: Path = options["out"] or model_dir / "candidates" / f"{kind}-{stamp}"
        common: dict[str, Any] = {
            "text_col": options["text_col"],
            "label_col": options["label_col"] or DEFAULT_LABEL_COL[kind],
            "language_col": options["language_col"],
            "out_dir": out,
            "seed": options["seed"],
            "progress": options["verbosity"] > 0,
        }
        try:
            if kind == "intents":
                report = train_intents(options["data"], cascade=options["cascade"], **common)
            else:
                report = train_sentiment(options["data"], **common)
        except (ArtefactError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.as_text())
        if options["promote"]:
            current = model_dir / (INTENTS_DIR if kind == "intents" else SENTIMENT_DIR)
            try:
                result = promote(out, current, force=options["force"])
            except PromotionRefusedError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(result.message))
