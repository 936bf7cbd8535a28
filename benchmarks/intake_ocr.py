"""OCR of letters and faxes: speed (pages per minute on one core) and word accuracy.

Data: German customer letters rendered at test time by ``tests/intake/letters/generate.py``
(Pillow, DejaVu Sans, A4 at 300 dpi, known text) in the variants a service desk receives:
clean scan (PNG), noisy scan (salt-and-pepper, blur, grey paper, JPEG quality 35), heavy noise
(150 dpi, 4 % specks, JPEG quality 20), turned 90° and 180°, skewed 3–5° both ways, fax (1-bit
CCITT G4 TIFF at 204×196 dpi "fine" and 204×98 dpi "standard"), a 2-page image-only PDF, and a
born-digital PDF with a text layer (no OCR: the fast path). Plus one real-world scan
made by someone else (Project Gutenberg book page, public domain; no reference text, so speed and
confidence only). Rendered letters are cleaner than paper: read the accuracy as an upper bound
for good scans; the noise and fax rows are the realistic ones.

Word accuracy = 1 − word error rate (Levenshtein distance over whitespace-separated words, no
case or punctuation folding) against the known text. Tesseract runs with OMP_THREAD_LIMIT=1 and
the process is pinned to one CPU, so pages per minute are per core.

Run: ``python benchmarks/intake_ocr.py [--quick]`` prints a table and writes
``benchmarks/results/intake_ocr.json`` (``--quick``: ``intake_ocr.quick.json``).
``run(quick=...)`` returns the same dict (used by benchmarks/intake.py).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the generator lives with the tests

# Documents per variant (seeds); skew alternates sign with the seed.
FULL_SEEDS = 4
QUICK_SEEDS = 1
REALWORLD = REPO / "tests" / "intake" / "letters" / "realworld" / "c03-29.pdf"


def _setup() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundenversteher.settings")
    os.environ.setdefault("KV_DEBUG", "1")  # a dev secret key; nothing here serves requests
    import django

    django.setup()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _cpu_seconds() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pytesseract

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu or platform.processor(),
        "cpus": os.cpu_count(),
        "pinned_to_one_cpu": len(os.sched_getaffinity(0)) == 1,
        "tesseract": str(pytesseract.get_tesseract_version()),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def run(quick: bool = False) -> dict[str, Any]:
    _setup()
    # One CPU for this process and its Tesseract children; given back afterwards, because
    # benchmarks/intake.py runs other measurements in the same process.
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        return _measure(quick=quick)
    finally:
        os.sched_setaffinity(0, cpus)


def _measure(*, quick: bool) -> dict[str, Any]:
    from tests.intake.letters.generate import VARIANTS, make_sample, word_accuracy

    from kundenversteher.intake.ocr import read_document

    load_start = round(os.getloadavg()[0], 2)
    seeds = range(QUICK_SEEDS if quick else FULL_SEEDS)
    per_variant: dict[str, dict[str, Any]] = {}
    ocr_page_seconds: list[float] = []
    ocr_page_cpu_seconds: list[float] = []
    confidences: list[float] = []
    for variant in VARIANTS:
        accuracies: list[float] = []
        seconds: list[float] = []
        pages = 0
        variant_conf: list[float] = []
        orientation_ok = 0
        for seed in seeds:
            sample = make_sample(variant, seed=seed)
            started, cpu_started = time.perf_counter(), _cpu_seconds()
            result = read_document(sample.content, content_type=sample.content_type)
            elapsed = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_started
            accuracies.append(word_accuracy(sample.reference, result.text))
            seconds.append(elapsed / max(1, result.pages))
            pages += result.pages
            if result.confidence is not None:
                variant_conf.append(result.confidence)
            expected_rotation = {"rotated90": 90, "rotated180": 180}.get(variant, 0)
            orientation_ok += all(r == expected_rotation for r in result.rotation_degrees)
            if variant != "pdf_text":
                ocr_page_seconds.extend([elapsed / result.pages] * result.pages)
                ocr_page_cpu_seconds.extend([cpu / result.pages] * result.pages)
        confidences.extend(variant_conf)
        per_variant[variant] = {
            "documents": len(seeds),
            "pages": pages,
            "word_accuracy_mean": round(statistics.fmean(accuracies), 4),
            "word_accuracy_min": round(min(accuracies), 4),
            "seconds_per_page_median": round(statistics.median(seconds), 3),
            "confidence_median": (
                round(statistics.median(variant_conf), 1) if variant_conf else None
            ),
            "orientation_correct": f"{orientation_ok}/{len(seeds)}",
        }
    real_bytes = REALWORLD.read_bytes()
    started = time.perf_counter()
    real = read_document(real_bytes, content_type="application/pdf", languages="eng")
    real_seconds = time.perf_counter() - started
    ocr_total = sum(ocr_page_seconds)
    return {
        "benchmark": "intake_ocr",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": {**machine(), "load_avg_1m_start": load_start},
        "config": {
            "dpi": 300,
            "languages": "deu+eng",
            "documents_per_variant": len(seeds),
            "omp_thread_limit": os.environ.get("OMP_THREAD_LIMIT"),
        },
        "results": {
            "ocr_pages": len(ocr_page_seconds),
            "ocr_pages_per_minute": round(len(ocr_page_seconds) / ocr_total * 60, 1),
            # CPU time of this process and its Tesseract children: what an idle core would do.
            "ocr_pages_per_minute_by_cpu_time": round(
                len(ocr_page_cpu_seconds) / sum(ocr_page_cpu_seconds) * 60, 1
            ),
            "ocr_cpu_seconds_per_page_median": round(statistics.median(ocr_page_cpu_seconds), 3),
            "ocr_cpu_seconds_per_page_p95": round(_percentile(ocr_page_cpu_seconds, 95), 3),
            "ocr_seconds_per_page_median": round(statistics.median(ocr_page_seconds), 3),
            "ocr_seconds_per_page_p95": round(_percentile(ocr_page_seconds, 95), 3),
            "ocr_confidence_median": round(statistics.median(confidences), 1),
            "variants": per_variant,
            "realworld_scan": {
                "file": str(REALWORLD.relative_to(REPO)),
                "seconds": round(real_seconds, 3),
                "confidence": real.confidence,
                "words": len(real.text.split()),
            },
        },
        "note": (
            "Rendered letters (known text) at 300 dpi; seconds per page include orientation "
            "detection, deskew estimate and recognition; text-layer PDFs skip OCR and are "
            "excluded from the OCR page figures. Shared machine: wall-clock figures include "
            "waiting for the CPU (see load_avg_1m); the by-CPU-time figures count only this "
            "process and its Tesseract children and are what one idle core achieves."
        ),
    }


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    report = run(quick=quick)
    results = report["results"]
    print(
        f"OCR by CPU time: {results['ocr_pages_per_minute_by_cpu_time']} pages/min per core, "
        f"median {results['ocr_cpu_seconds_per_page_median']} CPU s/page, "
        f"p95 {results['ocr_cpu_seconds_per_page_p95']} CPU s/page"
    )
    print(
        f"OCR wall clock: {results['ocr_pages_per_minute']} pages/min on one core, "
        f"median {results['ocr_seconds_per_page_median']} s/page, "
        f"p95 {results['ocr_seconds_per_page_p95']} s/page, "
        f"median confidence {results['ocr_confidence_median']} "
        f"({results['ocr_pages']} OCR pages, load {report['machine']['load_avg_1m']})"
    )
    header = f"{'variant':<18}{'docs':>5}{'pages':>6}{'acc mean':>10}{'acc min':>9}"
    print(header + f"{'s/page':>8}{'conf':>7}{'upright':>9}")
    for name, row in results["variants"].items():
        conf = row["confidence_median"]
        print(
            f"{name:<18}{row['documents']:>5}{row['pages']:>6}"
            f"{row['word_accuracy_mean']:>10.4f}{row['word_accuracy_min']:>9.4f}"
            f"{row['seconds_per_page_median']:>8.2f}"
            f"{'–' if conf is None else conf:>7}{row['orientation_correct']:>9}"
        )
    real = results["realworld_scan"]
    print(
        f"real-world scan {real['file']}: {real['seconds']} s, "
        f"confidence {real['confidence']}, {real['words']} words"
    )
    out = ROOT / "results" / ("intake_ocr.quick.json" if quick else "intake_ocr.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
