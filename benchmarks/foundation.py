"""Foundation benchmark: case throughput, routing latency and API list latency.

    python benchmarks/foundation.py [--runs 3] [--cases-per-run 300] [--api-cases 1000000]
    KV_BENCH_PG_URL=postgresql://user@127.0.0.1:5432/postgres python benchmarks/foundation.py

Each backend runs in its own process against a fresh database: SQLite in a temporary directory,
PostgreSQL in a new database created on the given server and dropped afterwards. The project's
own database (var/kv.sqlite3) is never opened. Prints a table and writes
benchmarks/results/foundation.json with the machine it ran on.

Measured:
- cases opened per second through ``cases.services.open_case`` (one transaction per case, SLA
  and routing included), the median of ``--runs`` runs;
- routing decision latency (``cases.routing.route_case`` on existing cases), p50 / p99;
- ``GET /api/v1/cases/`` (first page of 25, newest first, admin token) on a dataset of
  ``--api-cases`` finished cases written by the demo's bulk loader, p50 / p95.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "foundation.json"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --------------------------------------------------------------------------- worker (one backend)


def worker(config: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    from kundenversteher.cases.models import Case
    from kundenversteher.cases.routing import route_case
    from kundenversteher.cases.services import open_case
    from kundenversteher.customers.models import Customer
    from kundenversteher.demo import history, services
    from kundenversteher.demo.texts import TextGenerator

    result: dict[str, Any] = {"backend": config["backend"]}
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    services.load_demo(size="tiny", seed=7)
    customers = list(Customer.objects.values_list("pk", flat=True))
    rng = random.Random(11)
    mails = list(TextGenerator(13).mails(config["cases_per_run"]))

    rates = []
    for _ in range(config["runs"]):
        started = time.perf_counter()
        for mail in mails:
            open_case(
                subject=mail.subject,
                channel="email",
                customer_id=rng.choice(customers),
                language=mail.language,
                intent=mail.intent,
                sentiment=mail.sentiment,
                body_text=mail.text,
            )
        rates.append(len(mails) / (time.perf_counter() - started))
    result["open_case_per_s_runs"] = [round(r, 1) for r in rates]
    result["open_case_per_s_median"] = round(statistics.median(rates), 1)

    ids = list(Case.objects.values_list("pk", flat=True))
    latencies = []
    for case_id in rng.sample(ids, k=min(config["routing_samples"], len(ids))):
        started = time.perf_counter()
        route_case(case_id=case_id)
        latencies.append((time.perf_counter() - started) * 1000)
    result["routing_ms_p50"] = round(percentile(latencies, 50), 2)
    result["routing_ms_p99"] = round(percentile(latencies, 99), 2)
    result["routing_samples"] = len(latencies)

    if config["api_cases"]:
        started = time.perf_counter()
        history.bulk_load_cases(target=config["api_cases"], seed=7, customers=20_000)
        result["bulk_load_s"] = round(time.perf_counter() - started, 1)
        result.update(measure_api(config["api_requests"]))
    return result


def measure_api(requests: int) -> dict[str, Any]:
    """p50/p95 of the first case-list page, as the demo admin with a cases:read token."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kundenversteher.api.services import create_token
    from kundenversteher.cases.models import Case

    result: dict[str, Any] = {"dataset_cases": Case.objects.count()}
    setup_test_environment()  # lets the test client's "testserver" host through
    admin = get_user_model().objects.get(username="admin")
    _token, secret = create_token(user=admin, name="benchmark", scopes=["cases:read"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    path = "/api/v1/cases/?limit=25"
    first = client.get(path)
    result["api_status"] = first.status_code
    if first.status_code != 200:
        return result
    page = first.json()
    result["api_page_items"] = len(page["items"])
    result["api_count"] = page.get("count")
    api_ms = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        api_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code  # noqa: S101
    result["api_list_ms_p50"] = round(percentile(api_ms, 50), 1)
    result["api_list_ms_p95"] = round(percentile(api_ms, 95), 1)
    result["api_requests"] = len(api_ms)
    return result


def api_only(config: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    return {"backend": config["backend"], **measure_api(config["api_requests"])}


# --------------------------------------------------------------------------- orchestrator


def run_backend(
    backend: str, db_url: str, data_dir: Path, config: dict[str, Any]
) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kundenversteher.settings",
        "KV_DATABASE_URL": db_url,
        "KV_DATA_DIR": str(data_dir),
        "KV_SECRET_KEY": "benchmark-only",
        "KV_DEBUG": "0",
        "KV_FAST_PASSWORD_HASHER": "1",
        "KV_LOG_LEVEL": "WARNING",
    }
    payload = json.dumps({**config, "backend": backend})
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--worker", payload],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"backend": backend, "error": proc.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def machine() -> dict[str, Any]:
    import sqlite3

    import django

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases-per-run", type=int, default=300)
    parser.add_argument("--routing-samples", type=int, default=500)
    parser.add_argument("--api-cases", type=int, default=1_000_000, help="0 = skip the API")
    parser.add_argument("--api-requests", type=int, default=100)
    parser.add_argument("--pg-api-cases", type=int, default=None, help="default: --api-cases")
    parser.add_argument(
        "--api-only-sqlite",
        metavar="FILE",
        help="only the API timing, on an existing demo SQLite file (e.g. a --size large load)",
    )
    args = parser.parse_args()
    if args.worker:
        config = json.loads(args.worker)
        print(json.dumps(api_only(config) if config.get("api_only") else worker(config)))
        return
    if args.api_only_sqlite:
        large_api(Path(args.api_only_sqlite), args.api_requests)
        return
    config = {
        "runs": args.runs,
        "cases_per_run": args.cases_per_run,
        "routing_samples": args.routing_samples,
        "api_cases": args.api_cases,
        "api_requests": args.api_requests,
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="kv-bench-") as tmp:
        sqlite_dir = Path(tmp) / "sqlite"
        sqlite_dir.mkdir()
        print("SQLite …", flush=True)
        results.append(
            run_backend("sqlite", f"sqlite:///{sqlite_dir / 'bench.sqlite3'}", sqlite_dir, config)
        )
        pg_url = os.environ.get("KV_BENCH_PG_URL", "")
        if pg_url:
            name = f"kv_bench_{uuid.uuid4().hex[:8]}"
            pg_admin(pg_url, f'CREATE DATABASE "{name}"')
            try:
                print("PostgreSQL …", flush=True)
                pg_config = {**config}
                if args.pg_api_cases is not None:
                    pg_config["api_cases"] = args.pg_api_cases
                pg_dir = Path(tmp) / "pg"
                pg_dir.mkdir()
                results.append(
                    run_backend("postgresql", with_database(pg_url, name), pg_dir, pg_config)
                )
            finally:
                pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report = {
        "benchmark": "foundation",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": config,
        "results": results,
        "note": (
            "The machine was shared with other jobs (see load_avg_1m); SQLite in WAL mode on"
            " local disk, PostgreSQL 15 with the test server's settings when given."
        ),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(results)
    print(f"→ {RESULTS.relative_to(ROOT)}")


def large_api(path: Path, requests: int) -> None:
    """API timing on an already loaded (large) demo database; writes foundation_large_api.json.

    The file is copied to a temporary directory first, so the original is only read.
    """
    if path.resolve() == (ROOT / "var" / "kv.sqlite3").resolve():
        raise SystemExit("Die Projektdatenbank var/kv.sqlite3 wird nicht benutzt.")
    with tempfile.TemporaryDirectory(prefix="kv-bench-") as tmp:
        copy = Path(tmp) / "large.sqlite3"
        shutil.copyfile(path, copy)
        config = {"api_only": True, "api_requests": requests}
        result = run_backend("sqlite", f"sqlite:///{copy}", Path(tmp), config)
    report = {
        "benchmark": "foundation (API on the large demo)",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": str(path),
        "results": [result],
    }
    target = RESULTS.with_name("foundation_large_api.json")
    target.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table([result])
    print(f"→ {target.relative_to(ROOT)}")


def print_table(results: list[dict[str, Any]]) -> None:
    rows = (
        ("open_case / s (median)", "open_case_per_s_median"),
        ("routing p50 ms", "routing_ms_p50"),
        ("routing p99 ms", "routing_ms_p99"),
        ("dataset cases (API)", "dataset_cases"),
        ("bulk load s", "bulk_load_s"),
        ("API list p50 ms", "api_list_ms_p50"),
        ("API list p95 ms", "api_list_ms_p95"),
        ("API status", "api_status"),
        ("API items / count", "api_page_items"),
        ("error", "error"),
    )
    header = f"{'':<26}" + "".join(f"{r['backend']:>16}" for r in results)
    print(header)
    print("-" * len(header))
    for label, key in rows:
        if not any(key in r for r in results):
            continue
        print(f"{label:<26}" + "".join(f"{r.get(key, '–')!s:>16}" for r in results))


if __name__ == "__main__":
    main()
