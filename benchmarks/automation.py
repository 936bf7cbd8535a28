"""Benchmark of automatic answering on the public data sets: one command, one table.

    python benchmarks/automation.py [--quick]

(a) Automation: train on train, choose calibration and thresholds on validation (Banking77 has
    none: 15 % stratified, carved from train), report on test. Automation rate = share of the
    in-scope test messages answered automatically (not unsure); precision = share of those
    answered with the right intent; OOS answered = share of out-of-scope test messages (CLINC150)
    that would still be answered. For the default intent model with one global threshold, with
    per-intent thresholds (floor: out-of-scope threshold, the default; and floor: global
    threshold), and a plain TF-IDF cosine 1-NN baseline with one global similarity threshold
    chosen on validation the same way. Figures on validation are shown beside test: thresholds
    are chosen on validation, so there they meet the target by construction.
(b) Retrieval Recall@5 / MRR on the customer-support tickets with agent answers (NC: measuring
    only): the answers are the documents, each ticket's subject + body the query, its own answer
    the relevant document. TF-IDF baseline vs embeddings vs hybrid (reciprocal rank fusion); and
    the shipped knowledge-base search on its own demo query set when it is available.

``--quick`` subsamples everything and leaves out e5. One core pinned, one thread per library
(per-core figures, fair to others on the machine). Writes benchmarks/results/automation.json
(``--quick``: automation.quick.json) with machine info; embeddings are cached in
var/benchmark-cache/.
"""

# ruff: noqa: E402 - the thread variables must be set before numpy is imported

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import csv
import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kundenversteher.intelligence import datasets
from kundenversteher.intelligence.embeddings import EmbeddingKind, FloatMatrix, get_embedder
from kundenversteher.intelligence.intents import (
    FAST_SPEC,
    IntentClassifier,
    IntentOptions,
    Validation,
    _carve,
    _choose_thresholds,
)
from kundenversteher.intelligence.retrieval import mean_reciprocal_rank, recall_at_k, rrf
from kundenversteher.intelligence.types import IntentResult
from understanding import CACHE, RESULTS, ROOT, embed_cached, machine, pct, timed

TARGETS = {"automation_rate": 0.70, "precision": 0.95, "oos_answered_max": 0.02}
NO_OOS = "\x00no-oos"  # a label no data set uses: "no out-of-scope class"


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    train: datasets.Split
    validation: datasets.Split
    test: datasets.Split
    oos_label: str | None = None
    language: str = "en"


def bitext(root: Path | None = None) -> datasets.LabelledData:
    base = (root or datasets.datasets_root()) / "bitext_customer_service"

    def split(file: str) -> datasets.Split:
        with (base / file).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return datasets.Split([r["utterance"] for r in rows], [r["intent"] for r in rows])

    return datasets.LabelledData(
        name="bitext",
        train=split("train.csv"),
        validation=split("validation.csv"),
        test=split("test.csv"),
    )


def tasks(quick: bool) -> list[Task]:
    out = []
    banking = datasets.banking77()
    # No validation split: the same stratified 15 % the model would carve itself (same seed).
    fit_rows, val_rows = _carve(
        np.arange(len(banking.train)), banking.train.labels, IntentOptions()
    )
    pick = banking.train
    out.append(
        Task(
            "Banking77",
            datasets.Split([pick.texts[i] for i in fit_rows], [pick.labels[i] for i in fit_rows]),
            datasets.Split([pick.texts[i] for i in val_rows], [pick.labels[i] for i in val_rows]),
            banking.test,
        )
    )
    for data, label, oos in (
        (datasets.clinc150(), "CLINC150 full", datasets.OOS),
        (datasets.massive_de(), "MASSIVE-de", None),
        (bitext(), "Bitext customer service", None),
    ):
        if data.validation is None:
            raise RuntimeError(f"{data.name} has no validation split")
        out.append(Task(label, data.train, data.validation, data.test, oos, data.language))
    if quick:
        out = [
            Task(
                t.name,
                t.train.subsample(3000),
                t.validation.subsample(1500),
                t.test.subsample(1500),
                t.oos_label,
                t.language,
            )
            for t in out
        ]
    return out


# --------------------------------------------------------------------------- automation


def operating_point(
    truth: Sequence[str],
    predicted: Sequence[str],
    answered: npt.NDArray[np.bool_],
    oos_label: str | None,
) -> dict[str, Any]:
    truth_a, pred_a = np.asarray(truth), np.asarray(predicted)
    is_oos = truth_a == (oos_label if oos_label is not None else NO_OOS)
    in_answered = answered & ~is_oos
    correct = in_answered & (pred_a == truth_a)
    # Per intent (by predicted intent, in scope): how many intents miss the target precision
    # among those answered at least 20 times — the average can hide a bad intent.
    below = 0
    judged = 0
    for intent in sorted(set(pred_a[in_answered].tolist())):
        mine = in_answered & (pred_a == intent)
        if mine.sum() >= 20:
            judged += 1
            below += int(correct[mine].sum() / mine.sum() < TARGETS["precision"])
    return {
        "in_scope_accuracy": float((pred_a == truth_a)[~is_oos].mean()),
        "automation_rate": float(in_answered.sum() / max((~is_oos).sum(), 1)),
        "precision": float(correct.sum() / in_answered.sum()) if in_answered.any() else 0.0,
        "oos_answered": float(answered[is_oos].mean()) if is_oos.any() else None,
        "intents_below_target": below,
        "intents_judged": judged,
    }


def model_point(
    results: Sequence[IntentResult], truth: Sequence[str], oos_label: str | None
) -> dict[str, Any]:
    answered = np.array([not r.unsure for r in results])
    return operating_point(truth, [r.intent for r in results], answered, oos_label)


def embed_split(split: datasets.Split) -> dict[str, FloatMatrix]:
    return {"use": embed_cached("use", split.texts)}


VARIANTS: tuple[tuple[str, IntentOptions], ...] = (
    ("default, one global threshold", IntentOptions(per_intent_thresholds=False)),
    ("default, per-intent (floor: OOS thr.)", IntentOptions()),
    ("default, per-intent (floor: global)", IntentOptions(intent_floor="global")),
)


def bench_task(task: Task) -> dict[str, Any]:
    languages = {
        name: [task.language] * len(split) if task.language != "en" else None
        for name, split in (("train", task.train), ("val", task.validation), ("test", task.test))
    }
    emb = {
        "train": embed_split(task.train),
        "val": embed_split(task.validation),
        "test": embed_split(task.test),
    }
    rows: list[dict[str, Any]] = []
    for name, options in VARIANTS:
        started = time.perf_counter()
        model = IntentClassifier(spec=FAST_SPEC, options=options).fit(
            task.train.texts,
            task.train.labels,
            languages=languages["train"],
            embeddings=emb["train"],
            validation=Validation(
                task.validation.texts,
                task.validation.labels,
                languages=languages["val"],
                embeddings=emb["val"],
            ),
            oos_label=task.oos_label,
        )
        secs = time.perf_counter() - started
        on_val = model.predict(
            task.validation.texts, languages=languages["val"], embeddings=emb["val"]
        )
        on_test = model.predict(
            task.test.texts, languages=languages["test"], embeddings=emb["test"]
        )
        per_intent = model.intent_thresholds()
        rows.append(
            {
                "model": name,
                "validation": model_point(on_val, task.validation.labels, task.oos_label),
                "test": model_point(on_test, task.test.labels, task.oos_label),
                "global_threshold": round(model.fast_thresholds.automation, 4),
                "out_of_scope_threshold": round(model.fast_thresholds.out_of_scope, 4),
                "intents_with_own_threshold": sum(
                    1 for t in per_intent.values() if t.source == "intent"
                ),
                "n_intents": len(model.labels),
                "fit_seconds": round(secs, 1),
            }
        )
    rows.append(nearest_neighbour(task))
    return {
        "n_train": len(task.train),
        "n_val": len(task.validation),
        "n_test": len(task.test),
        "oos_in_test": sum(1 for label in task.test.labels if label == task.oos_label),
        "rows": rows,
    }


def _tfidf() -> TfidfVectorizer:
    # A plain baseline: word uni- and bigrams, sublinear tf, nothing tuned.
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)


def class_similarity(
    vectorizer: TfidfVectorizer,
    index: Any,
    index_labels: npt.NDArray[np.str_],
    classes: npt.NDArray[np.str_],
    texts: Sequence[str],
) -> npt.NDArray[np.float64]:
    """Per query and class: the cosine similarity of the nearest training example of that class
    (columns in ``classes`` order). TF-IDF rows have unit length: the dot product is the cosine."""
    order = np.argsort(index_labels, kind="stable")
    sorted_index = index[order]
    starts = np.searchsorted(index_labels[order], classes)
    out = np.zeros((len(texts), len(classes)))
    for begin in range(0, len(texts), 500):
        queries = vectorizer.transform(texts[begin : begin + 500])
        sims = (queries @ sorted_index.T).toarray()
        out[begin : begin + 500] = np.maximum.reduceat(sims, starts, axis=1)
    return out


def nearest_neighbour(task: Task) -> dict[str, Any]:
    """TF-IDF cosine 1-NN. One global similarity threshold for the target precision, chosen on
    validation; with out-of-scope validation data also the out-of-scope threshold, by the same
    rule as the model's (the same function, without per-intent thresholds or centroids). As for
    the model, out-of-scope training rows are not indexed but added to the validation data."""
    started = time.perf_counter()
    oos = task.oos_label
    keep = [i for i, label in enumerate(task.train.labels) if label != oos]
    extra = [i for i, label in enumerate(task.train.labels) if label == oos]
    index_texts = [task.train.texts[i] for i in keep]
    index_labels = np.array([task.train.labels[i] for i in keep])
    classes = np.unique(index_labels)
    vectorizer = _tfidf().fit(index_texts)
    index = vectorizer.transform(index_texts)
    val_texts = [*task.validation.texts, *(task.train.texts[i] for i in extra)]
    val_labels = [*task.validation.labels, *(task.train.labels[i] for i in extra)]
    thresholds = _choose_thresholds(
        class_similarity(vectorizer, index, index_labels, classes, val_texts),
        classes,
        val_labels,
        options=IntentOptions(per_intent_thresholds=False),
    )

    def point(split: datasets.Split) -> dict[str, Any]:
        sims = class_similarity(vectorizer, index, index_labels, classes, split.texts)
        best = sims.max(axis=1)
        predicted = classes[sims.argmax(axis=1)]
        answered = (best >= thresholds.automation) & (best >= thresholds.out_of_scope)
        return operating_point(split.labels, predicted.tolist(), answered, oos)

    return {
        "model": "baseline: TF-IDF cosine 1-NN",
        "validation": point(task.validation),
        "test": point(task.test),
        "global_threshold": round(thresholds.automation, 4),
        "out_of_scope_threshold": round(thresholds.out_of_scope, 4),
        "intents_with_own_threshold": 0,
        "n_intents": len(classes),
        "fit_seconds": round(time.perf_counter() - started, 1),
    }


# --------------------------------------------------------------------------- retrieval


def embed_kind_cached(name: str, texts: Sequence[str], kind: EmbeddingKind) -> FloatMatrix:
    """Like understanding.embed_cached, for passages too (e5 encodes them differently)."""
    if kind == "query":
        return embed_cached(name, texts)
    key = hashlib.sha256(("\x1e".join(texts) + name + kind).encode()).hexdigest()[:20]
    path = CACHE / f"{name}-{kind}-{key}.npy"
    if path.is_file():
        return np.asarray(np.load(path), dtype=np.float32)
    vectors = get_embedder(name).embed(texts, kind=kind)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def tickets(quick: bool) -> tuple[list[str], list[str], list[int], list[str]]:
    """Queries, their languages, the index of their answer, and the deduplicated answers."""
    path = (
        datasets.datasets_root()
        / "customer_support_tickets"
        / "subsample_v5_multi-lang-5-2-50_en-de.csv"
    )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["answer"].strip() and r["body"].strip()]
    if quick:
        rows = rows[:400]
    documents: dict[str, int] = {}
    queries, languages, relevant = [], [], []
    for r in rows:
        answer = r["answer"].strip()
        doc = documents.setdefault(answer, len(documents))
        queries.append(f"{r['subject'].strip()}\n{r['body'].strip()}".strip())
        languages.append(r["language"])
        relevant.append(doc)
    return queries, languages, relevant, list(documents)


def _rankings(scores: npt.NDArray[np.float64], depth: int = 100) -> list[list[int]]:
    top = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
    return [row.tolist() for row in top]


def bench_retrieval(quick: bool) -> dict[str, Any]:
    queries, languages, relevant, documents = tickets(quick)
    wanted = [{doc} for doc in relevant]
    methods: dict[str, list[list[int]]] = {}
    seconds: dict[str, float] = {}

    vectorizer = _tfidf().fit(documents)
    tfidf_scores, secs = timed(
        lambda: (vectorizer.transform(queries) @ vectorizer.transform(documents).T).toarray()
    )
    methods["baseline: TF-IDF cosine"] = _rankings(tfidf_scores)
    seconds["baseline: TF-IDF cosine"] = secs
    embedders = ["use"] if quick else ["use", "e5"]
    for name in embedders:
        started = time.perf_counter()
        q = embed_kind_cached(name, queries, "query")
        d = embed_kind_cached(name, documents, "passage")
        secs = time.perf_counter() - started
        methods[f"embeddings: {name}"] = _rankings(np.asarray(q @ d.T, dtype=np.float64))
        seconds[f"embeddings: {name}"] = secs  # 0 when cached
    for name in embedders:
        fused = [
            [key for key, _ in rrf([lexical, semantic])]
            for lexical, semantic in zip(
                methods["baseline: TF-IDF cosine"], methods[f"embeddings: {name}"], strict=True
            )
        ]
        methods[f"hybrid RRF: TF-IDF + {name}"] = fused
    rows = []
    for method, rankings in methods.items():
        row: dict[str, Any] = {
            "method": method,
            "recall_at_5": recall_at_k(rankings, wanted, k=5),
            "mrr": mean_reciprocal_rank(rankings, wanted),
        }
        for language in sorted(set(languages)):
            mine = [i for i, lang in enumerate(languages) if lang == language]
            row[f"recall_at_5_{language}"] = recall_at_k(
                [rankings[i] for i in mine], [wanted[i] for i in mine], k=5
            )
        rows.append(row)
    return {
        "data": "customer_support_tickets/subsample_v5 (synthetic, CC BY-NC 4.0: measuring only)",
        "n_queries": len(queries),
        "n_documents": len(documents),
        "languages": {lang: languages.count(lang) for lang in sorted(set(languages))},
        "rows": rows,
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "note": "rankings truncated at depth 100 before fusion; MRR counts 0 beyond it",
    }


SHIPPED_PROBE = """
import json, sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import kundenversteher
from kundenversteher.knowledge import indexing, services
from kundenversteher.knowledge.evaluation import DEMO_QUERIES, evaluate_retrieval
articles = sorted((Path(kundenversteher.__file__).parent / "demo" / "articles").glob("*.md"))
imported = services.import_files(articles)
for article_id in indexing.stale_article_ids():
    indexing.reindex_article(article_id=article_id)
result = {"n_articles_files": len(articles), "n_queries": len(DEMO_QUERIES),
          "modes": evaluate_retrieval(DEMO_QUERIES, k=5)}
print(json.dumps(result, default=str, ensure_ascii=False))
"""


def bench_shipped_retrieval() -> dict[str, Any]:
    """The knowledge base's own search on its demo query set, in a fresh process with a
    temporary SQLite database (the project's database is never opened)."""
    # Only looked up, not imported: its models need a configured Django (the probe has one).
    if importlib.util.find_spec("kundenversteher.knowledge.evaluation") is None:
        return {"skipped": "kundenversteher.knowledge.evaluation not available"}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kundenversteher.settings",
            "KV_DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "KV_DATA_DIR": tmp,
            "KV_SECRET_KEY": "benchmark-only",
            "KV_DEBUG": "0",
            "KV_LOG_LEVEL": "WARNING",
        }
        proc = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", SHIPPED_PROBE],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp,
        )
    if proc.returncode != 0:
        return {"skipped": "evaluate_retrieval failed: " + " ".join(proc.stderr.splitlines()[-3:])}
    parsed: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return parsed


# --------------------------------------------------------------------------- report


def _point(p: dict[str, Any]) -> str:
    oos = "" if p["oos_answered"] is None else pct(p["oos_answered"])
    return f"{pct(p['automation_rate'])} {pct(p['precision'])} {oos:>7}"


def render(report: dict[str, Any]) -> str:
    lines = [
        f"Automation benchmark ({'quick' if report['quick'] else 'full'}), "
        f"{report['machine']['cpu']}, 1 core pinned, {report['seconds']:.0f} s",
        "targets: automation rate >= 70 % at precision >= 95 % (in scope), OOS answered <= 2 %",
    ]
    for name, section in report["automation"].items():
        lines.append(
            f"\n{name} (train {section['n_train']}, val {section['n_val']}, test "
            f"{section['n_test']}, of which OOS {section['oos_in_test']})"
        )
        lines.append(
            f"  {'model':<38} {'validation: auto   prec     OOS':>31}   "
            f"{'test: auto   prec     OOS':>25}  {'int<95%':>7} {'own thr':>8} {'test acc':>7} "
            f"{'fit s':>6}"
        )
        for r in section["rows"]:
            test = r["test"]
            lines.append(
                f"  {r['model']:<38} {_point(r['validation']):>31}   {_point(test):>25}  "
                f"{test['intents_below_target']:>3}/{test['intents_judged']:<3} "
                f"{r['intents_with_own_threshold']:>3}/{r['n_intents']:<4} "
                f"{pct(test['in_scope_accuracy'])} {r['fit_seconds']:6.1f}"
            )
    ret = report["retrieval"]
    lines.append(
        f"\nRetrieval: {ret['data']}; {ret['n_queries']} queries "
        f"({', '.join(f'{k} {v}' for k, v in ret['languages'].items())}), "
        f"{ret['n_documents']} answers as documents"
    )
    langs = sorted(ret["languages"])
    lines.append(
        f"  {'method':<30} {'R@5':>7} {'MRR':>6}" + "".join(f" {'R@5 ' + x:>8}" for x in langs)
    )
    lines.extend(
        f"  {r['method']:<30} {pct(r['recall_at_5']):>7} {r['mrr']:6.3f}"
        + "".join(f" {pct(r[f'recall_at_5_{x}']):>8}" for x in langs)
        for r in ret["rows"]
    )
    shipped = report["shipped_retrieval"]
    if "modes" in shipped:
        lines.append(
            f"\nShipped knowledge search (knowledge.retrieval.search) on its demo query set: "
            f"{shipped['n_queries']} queries, {shipped['n_articles_files']} article files"
        )
        lines.extend(
            f"  {mode:<30} {pct(m['recall_at_k']):>7} {m['mrr']:6.3f}  {m['ms_per_query']} ms/query"
            for mode, m in shipped["modes"].items()
        )
    else:
        lines.append(f"\nShipped knowledge search: {shipped.get('skipped')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="subsampled, a few minutes")
    parser.add_argument(
        "--only",
        choices=("automation", "retrieval", "shipped"),
        help="re-run one part and keep the others from the existing results file",
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    started = time.perf_counter()
    out = RESULTS / ("automation.quick.json" if args.quick else "automation.json")
    report: dict[str, Any] = {}
    if args.only and out.is_file():
        report = json.loads(out.read_text(encoding="utf-8"))
    report.update(
        {
            "quick": args.quick,
            "created_at": datetime.now(tz=UTC).isoformat(),
            "machine": machine(),
            "targets": TARGETS,
        }
    )

    def save() -> None:
        # After every part, so that a long run interrupted late keeps what it measured.
        report["seconds"] = round(time.perf_counter() - started, 1)
        report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        RESULTS.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    if args.only in (None, "automation"):
        report["automation"] = {}
        for task in tasks(args.quick):
            report["automation"][task.name] = bench_task(task)
            save()
            print(f"{task.name} done", flush=True)
    if args.only in (None, "retrieval"):
        report["retrieval"] = bench_retrieval(args.quick)
        save()
        print("retrieval done", flush=True)
    if args.only in (None, "shipped"):
        report["shipped_retrieval"] = bench_shipped_retrieval()
        save()
    print(render(report))
    print(f"\nwritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
