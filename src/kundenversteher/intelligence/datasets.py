"""Loaders for the public evaluation data sets in ``../shared/datasets`` (benchmarks, tests).

These are for measuring only: none of them is used to train what ships (see docs/models.md).
The root folder comes from the caller (or ``KV_DATASETS_DIR``); nothing is read at import time.
"""

from __future__ import annotations

import csv
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

# A checkout has the shared folder beside it (repo/../shared/datasets); this file lies at
# repo/src/kundenversteher/intelligence/datasets.py in an editable install.
BESIDE_CHECKOUT = Path(__file__).resolve().parents[4] / "shared" / "datasets"
DEFAULT_ROOT = Path("/work/shared/datasets")


def datasets_root() -> Path:
    """``KV_DATASETS_DIR``, else the shared folder beside the checkout, else the workplace's."""
    if configured := os.environ.get("KV_DATASETS_DIR"):
        return Path(configured)
    return BESIDE_CHECKOUT if BESIDE_CHECKOUT.is_dir() else DEFAULT_ROOT


@dataclass(frozen=True, slots=True)
class Split:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def subsample(self, n: int, *, seed: int = 0) -> Split:
        if n >= len(self.texts):
            return self
        rows = sorted(
            random.Random(seed).sample(  # noqa: S311 - reproducible sample, not security
                range(len(self.texts)), n
            )
        )
        return Split([self.texts[i] for i in rows], [self.labels[i] for i in rows])


@dataclass(frozen=True, slots=True)
class LabelledData:
    name: str
    train: Split
    test: Split
    validation: Split | None = None
    language: str = "en"


def _csv(path: Path, text: str, label: str) -> Split:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Split([r[text] for r in rows], [r[label] for r in rows])


def banking77(root: Path | None = None) -> LabelledData:
    base = (root or datasets_root()) / "banking77"
    return LabelledData(
        name="banking77",
        train=_csv(base / "train.csv", "text", "category"),
        test=_csv(base / "test.csv", "text", "category"),
    )


OOS = "oos"


def clinc150(root: Path | None = None) -> LabelledData:
    """CLINC150 ``data_full.json``; out-of-scope rows keep the label ``oos``."""
    path = (root or datasets_root()) / "clinc150" / "data_full.json"
    data = json.loads(path.read_text(encoding="utf-8"))

    def split(*keys: str) -> Split:
        rows = [row for key in keys for row in data[key]]
        return Split([r[0] for r in rows], [r[1] for r in rows])

    return LabelledData(
        name="clinc150",
        train=split("train", "oos_train"),
        validation=split("val", "oos_val"),
        test=split("test", "oos_test"),
    )


def massive_de(root: Path | None = None) -> LabelledData:
    base = (root or datasets_root()) / "massive_de"
    names = json.loads((base / "intent_labels.json").read_text(encoding="utf-8"))

    def split(file: str) -> Split:
        with (base / file).open(encoding="utf-8", newline="") as handle:
            rows = [line for line in csv.reader(handle, delimiter="\t") if len(line) >= 2]
        return Split([r[0] for r in rows], [names[r[1]] for r in rows])

    return LabelledData(
        name="massive_de",
        train=split("train.tsv"),
        validation=split("dev.tsv"),
        test=split("test.tsv"),
        language="de",
    )


def sb10k(root: Path | None = None, *, test_fraction: float = 0.2, seed: int = 0) -> LabelledData:
    """SB10k German tweets with text (7 095 of 9 939). There is no official split in this file,
    so a fixed-seed stratified 80/20 split is made. Texts: internal evaluation only."""
    path = (root or datasets_root()) / "sb10k" / "sb10k_corpus.tsv"
    by_label: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 5 or row[4].strip() in ("", "Not Available"):
                continue
            by_label.setdefault(row[1], []).append(row[4])
    rng = random.Random(seed)  # noqa: S311 - reproducible split, not security
    train, test = Split([], []), Split([], [])
    for label in sorted(by_label):
        texts = by_label[label]
        rng.shuffle(texts)
        cut = round(len(texts) * test_fraction)
        test.texts.extend(texts[:cut])
        test.labels.extend([label] * cut)
        train.texts.extend(texts[cut:])
        train.labels.extend([label] * (len(texts) - cut))
    return LabelledData(name="sb10k", train=train, test=test, language="de")
