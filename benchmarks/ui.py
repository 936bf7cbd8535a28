"""UI benchmark: server time of the agent inbox and the case view (and the portal) at p50/p95.

    python benchmarks/ui.py --quick                          # tiny demo, SQLite, 30 requests
    python benchmarks/ui.py --size small                     # SQLite
    KV_BENCH_PG_URL=postgresql://kv@127.0.0.1:54339/postgres python benchmarks/ui.py --size large

"Server time" is the time Django needs for one request in-process (``django.test.Client``:
middleware, session, view, queries, template rendering; no network, no browser). Each backend runs
in its own process. The demo data set (``kundenversteher demo --size …``: tiny 30 cases, small
1 500, large 1 500 + 1 000 000 bulk cases) is loaded once and kept for later runs: SQLite in
``var/benchmark-ui/sqlite-<size>.sqlite3``, PostgreSQL in the database ``kv_bench_ui_<size>`` on
the given server (``--fresh`` starts over). The project's own database is never opened.

Measured per backend, each page ``--requests`` times after 5 warm-up requests (wall-clock p50,
p95, max; CPU time of the process p50, p95; SQL queries of one request):
- inbox, default view ("mine") of agent Anna;
- inbox, full-text search ``q=Wärmepumpe`` (Anna);
- inbox, view "all" of supervisor Sabine (every case of the data set is a candidate);
- case view of Anna, a different visible case per request (cases with several messages first);
- portal "Meine Anliegen" and one case of customer Clara.
Prints a table and writes ``benchmarks/results/ui.json`` (``--quick``: ``ui.quick.json``) with the
machine and the load average at start and end (the machine is shared: timings under load are
pessimistic).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "var" / "benchmark-ui"
WARM_UP = 5
TARGET_P95_MS = 150.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --------------------------------------------------------------------------- worker (one backend)


MEMO_MIDDLEWARE = "kundenversteher.cases.access.AccessMemoMiddleware"


def worker(config: dict[str, Any]) -> dict[str, Any]:
    import django
    from django.conf import settings

    if config.get("access_memo") and MEMO_MIDDLEWARE not in settings.MIDDLEWARE:
        # Measures the memo before settings.MIDDLEWARE lists it (--access-memo).
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MEMO_MIDDLEWARE]
    django.setup()
    from django.core.management import call_command

    from kundenversteher.cases.models import Case
    from kundenversteher.demo.services import load_demo

    result: dict[str, Any] = {
        "backend": config["backend"],
        "size": config["size"],
        "access_memo": MEMO_MIDDLEWARE in settings.MIDDLEWARE,
    }
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    report = load_demo(size=config["size"], seed=2026, bulk_cases=config.get("bulk_cases"))
    result["load_s"] = round(time.perf_counter() - started, 1)
    result["already_loaded"] = report.already_loaded
    result["dataset_cases"] = Case.objects.count()
    result["pages"] = measure_pages(config["requests"], tuple(config.get("only") or ()))
    return result


def _time_page(
    client: Any, paths: list[str], requests: int, budget_s: float = 150.0
) -> dict[str, Any]:
    """Wall-clock and CPU time per request. CPU time (this process only: Python, templates,
    SQLite) is less distorted by a loaded machine than wall time; PostgreSQL's own work runs in
    the server process and shows only in wall time. A page stops early (at least 30 requests)
    once it has used ``budget_s`` seconds, so one very slow page cannot stall the whole run."""
    from django.db import connection

    for path in paths[:WARM_UP]:
        client.get(path)
    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    # Not CaptureQueriesContext: request_started resets the query log in the middle of it.
    with connection.execute_wrapper(count):
        first = client.get(paths[0])
    wall: list[float] = []
    cpu: list[float] = []
    begun = time.perf_counter()
    for i in range(requests):
        if i >= 30 and time.perf_counter() - begun > budget_s:
            break
        path = paths[i % len(paths)]
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
    return {
        "status": first.status_code,
        "bytes": len(first.content),
        "queries": len(executed),
        "requests": len(wall),
        "stopped_early": len(wall) < requests,
        "p50_ms": round(percentile(wall, 50), 1),
        "p95_ms": round(percentile(wall, 95), 1),
        "max_ms": round(max(wall), 1),
        "cpu_p50_ms": round(percentile(cpu, 50), 1),
        "cpu_p95_ms": round(percentile(cpu, 95), 1),
    }


def measure_pages(requests: int, only: tuple[str, ...] = ()) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from kundenversteher.cases.models import Case

    setup_test_environment()  # lets the test client's "testserver" host through
    users = get_user_model().objects
    anna, sabine, clara = (users.get(username=name) for name in ("anna", "sabine", "clara"))
    agent = Client()
    agent.force_login(anna)
    supervisor = Client()
    supervisor.force_login(sabine)
    customer = Client()
    customer.force_login(clara)
    inbox = reverse("workspace:inbox")

    rng = random.Random(7)
    # Cases with a conversation (the base demo) first, then bulk cases: a realistic mix.
    visible = Case.objects.visible_to(anna)
    talky = list(
        visible.annotate(n=Count("messages"))
        .filter(n__gte=2)
        .order_by("-n", "id")
        .values_list("number", flat=True)[: max(1, requests // 2)]
    )
    newest_id = visible.order_by("-id").values_list("id", flat=True).first() or 0
    sample_ids = {rng.randint(1, newest_id) for _ in range(requests)}
    bulk = list(visible.filter(id__in=sample_ids).values_list("number", flat=True))
    numbers = (talky + bulk)[:requests] or ["KV-0000-000000"]
    rng.shuffle(numbers)
    clara_cases = list(
        Case.objects.filter(customer__user=clara).values_list("number", flat=True)[:1]
    )

    plan: list[tuple[str, Any, list[str]]] = [
        ("inbox (Anna, mine)", agent, [inbox]),
        *(
            (f"inbox {view} (Anna)", agent, [f"{inbox}?view={view}"])
            for view in ("teams", "unassigned", "due", "breached", "waiting")
        ),
        ("inbox search (Anna)", agent, [inbox + "?q=W%C3%A4rmepumpe"]),
        ("inbox search rare (Anna)", agent, [inbox + "?q=Schimmel"]),
        ("inbox all (Sabine)", supervisor, [inbox + "?view=all"]),
        ("inbox all page 20 (Sabine)", supervisor, [inbox + "?view=all&page=20"]),
        ("inbox all search (Sabine)", supervisor, [inbox + "?view=all&q=W%C3%A4rmepumpe"]),
        ("supervisor team (Sabine)", supervisor, [reverse("workspace:supervisor")]),
        (
            "case view (Anna)",
            agent,
            [reverse("workspace:case", kwargs={"number": n}) for n in numbers],
        ),
        ("portal my cases (Clara)", customer, [reverse("portal:cases")]),
    ]
    if clara_cases:
        plan.append(
            (
                "portal case (Clara)",
                customer,
                [reverse("portal:case", kwargs={"number": clara_cases[0]})],
            )
        )
    pages: dict[str, Any] = {}
    for name, client, paths in plan:
        if only and not any(part in name for part in only):
            continue
        pages[name] = _time_page(client, paths, requests)
        if name.startswith("case view"):
            pages[name]["distinct_cases"] = len(numbers)
    return pages


# --------------------------------------------------------------------------- orchestrator


def run_backend(
    backend: str, db_url: str, data_dir: Path, config: dict[str, Any]
) -> dict[str, Any]:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kundenversteher.settings",
        "KV_DATABASE_URL": db_url,
        "KV_DATA_DIR": str(data_dir),
        "KV_SECRET_KEY": "benchmark-only",
        "KV_DEBUG": "0",
        "KV_FAST_PASSWORD_HASHER": "1",
        "KV_LOG_LEVEL": "ERROR",
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
        return {"backend": backend, "size": config["size"], "error": proc.stderr.strip()[-2000:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def pg_has_database(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return row is not None


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
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--size", choices=("tiny", "small", "large"), default="large")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="tiny data set, 30 requests")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="PostgreSQL needs KV_BENCH_PG_URL (a maintenance database URL)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop a kept data set first")
    parser.add_argument(
        "--bulk-cases",
        type=int,
        default=None,
        help="bulk cases to load (default: the size's own, large = 1 000 000); loading resumes"
        " where an earlier run stopped, a smaller number keeps what is there",
    )
    parser.add_argument(
        "--access-memo",
        action="store_true",
        help=f"add {MEMO_MIDDLEWARE} if settings.MIDDLEWARE lacks it",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only pages whose name contains this text (repeatable), e.g. 'inbox all'",
    )
    parser.add_argument(
        "--tag", default="", help="suffix of the results file, e.g. 'before' (ui.small.before.json)"
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    size, requests = ("tiny", 30) if args.quick else (args.size, args.requests)
    config = {
        "size": size,
        "requests": requests,
        "bulk_cases": args.bulk_cases,
        "access_memo": args.access_memo,
        "only": args.only,
    }
    started_at = machine()
    results = []
    if args.backend in {"sqlite", "both"}:
        folder = DATA / f"sqlite-{size}"
        database = folder / "bench.sqlite3"
        if args.fresh and database.exists():
            for leftover in folder.glob("bench.sqlite3*"):
                leftover.unlink()
        print(f"SQLite ({size}) …", flush=True)
        results.append(run_backend("sqlite", f"sqlite:///{database}", folder, config))
    pg_url = os.environ.get("KV_BENCH_PG_URL", "")
    if args.backend in {"postgresql", "both"} and pg_url:
        name = f"kv_bench_ui_{size}"
        if args.fresh:
            pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not pg_has_database(pg_url, name):
            pg_admin(pg_url, f'CREATE DATABASE "{name}"')
        print(f"PostgreSQL ({size}) …", flush=True)
        results.append(
            run_backend("postgresql", with_database(pg_url, name), DATA / f"pg-{size}", config)
        )
    elif args.backend == "postgresql":
        raise SystemExit("KV_BENCH_PG_URL fehlt (z. B. postgresql://kv@127.0.0.1:54339/postgres)")
    report = {
        "benchmark": "ui",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": started_at,
        "load_avg_end": [round(x, 2) for x in os.getloadavg()],
        "config": config,
        "target_p95_ms": TARGET_P95_MS,
        "results": results,
        "note": (
            "Server time in-process (django.test.Client), one request at a time; the machine was"
            " shared with other jobs (see load_avg)."
        ),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / ("ui.quick.json" if args.quick else "ui.json")
    if not args.quick and size != "large":
        target = RESULTS / f"ui.{size}.json"
    if args.tag:
        target = target.with_suffix(f".{args.tag}.json")
    for result in results:
        result["ran_at"] = report["ran_at"]
        result["load_avg"] = [*started_at["load_avg"], *report["load_avg_end"]]
    if target.exists():
        # Backends may run separately (--backend): keep the other backend's latest figures.
        kept = json.loads(target.read_text(encoding="utf-8")).get("results", [])
        ran = {result["backend"] for result in results}
        report["results"] = [r for r in kept if r.get("backend") not in ran] + results
    target.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(results)
    print(f"→ {target.relative_to(ROOT)}")


def print_table(results: list[dict[str, Any]]) -> None:
    for result in results:
        head = f"{result['backend']} ({result['size']})"
        if "error" in result:
            print(f"{head}: FEHLER\n{result['error']}")
            continue
        print(
            f"{head}, access memo {'on' if result.get('access_memo') else 'off'}:"
            f" {result['dataset_cases']} cases, load {result['load_s']} s"
            f"{' (kept from an earlier run)' if result['already_loaded'] else ''}"
        )
        print(
            f"  {'page':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'cpu p50':>9}{'cpu p95':>9}"
            f"{'queries':>9}  p95 < {TARGET_P95_MS:.0f} ms"
        )
        for name, page in result["pages"].items():
            verdict = "ok" if page["p95_ms"] < TARGET_P95_MS else "over"
            print(
                f"  {name:<26}{page['p50_ms']:>9}{page['p95_ms']:>9}{page['max_ms']:>9}"
                f"{page['cpu_p50_ms']:>9}{page['cpu_p95_ms']:>9}{page['queries']:>9}  {verdict}"
            )


if __name__ == "__main__":
    main()
