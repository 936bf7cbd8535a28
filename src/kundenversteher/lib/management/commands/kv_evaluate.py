"""``kundenversteher evaluate intents|sentiment --data FILE.csv [--model DIR]``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kundenversteher.intelligence.artefacts import INTENTS_DIR, SENTIMENT_DIR, ArtefactError
from kundenversteher.intelligence.evaluation import evaluate_intents, evaluate_sentiment


class Command(BaseCommand):
    help = "Misst ein trainiertes Modell auf einer beschrifteten CSV-Datei."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=["intents", "sentiment"])
        parser.add_argument("--data", type=Path, required=True)
        parser.add_argument("--model", type=Path, help="Standard: das aktuelle Modell")
        parser.add_argument("--text-col", default="text")
        parser.add_argument("--label-col", help="Standard: intent bzw. sentiment")
        parser.add_argument("--language-col")

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        default_dir = INTENTS_DIR if kind == "intents" else SENTIMENT_DIR
        model: Path = options["model"] or Path(settings.KV_MODEL_DIR) / default_dir
        evaluate = evaluate_intents if kind == "intents" else evaluate_sentiment
        try:
            report = evaluate(
                model,
                options["data"],
                text_col=options["text_col"],
                label_col=options["label_col"] or ("intent" if kind == "intents" else "sentiment"),
                language_col=options["language_col"],
            )
        except (ArtefactError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.as_text())
