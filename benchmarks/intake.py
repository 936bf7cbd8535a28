"""Intake benchmark: customer e-mails through IMAP into routed cases, end to end.

    python benchmarks/intake.py [--quick] [--database sqlite|postgres|both] [--mails N]

Per database, in a process of its own against a fresh database (SQLite in a temporary folder;
PostgreSQL: a new database on ``scripts/test-postgres.sh``'s server or ``KV_BENCH_PG_URL``):

1. a private Dovecot on loopback (``tests/intake/mail/servers.py``), one mailbox;
2. the tiny demo company (customers, teams, routing rules) and N demo-like customer mails
   (``kundenversteher.demo`` texts, sent from the demo customers' own addresses) APPENDed;
3. **burst**: ``imap.poll_mailbox`` (fetch → ``intake.services.receive`` → mark \\Seen) and then
   the real database task worker (``db_worker --batch``) running ``process_inbound`` for all of
   them — parse, identify, understand (trained intent model), enrich, file, route. Reported:
   messages per second over the whole burst, the fetch and processing rates on their own, the
   p95 of receive → case routed *within the burst* (queueing included), and how many cases
   were routed to a team and identified a customer;
4. **unloaded latency**: M single mails, each APPENDed, polled and processed on its own; p50/p95
   of APPEND done → case routed.

On a shared, loaded machine the wall-clock rates mostly measure waiting for a core; the CPU
time this process spends per message (``cpu_ms_per_message``) is reported beside them.

Also runs A4's OCR benchmark (``benchmarks/intake_ocr.py``: ``run(quick) -> dict``) once.
Prints a table, writes benchmarks/results/intake.json (or intake.quick.json) with the machine
and its load average.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
MODEL_CACHE = ROOT / "var" / "benchmark-models" / "intake"
TRAINING_ROWS = 3000


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --------------------------------------------------------------------------- worker (one database)


def _mail_bytes(*, subject: str, text: str, sender: str, name: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"{name} <{sender}>"
    mail["To"] = "service@brenner-waermetechnik.de"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime.now(tz=UTC))
    mail["Message-ID"] = make_msgid(domain="kunde.example")
    mail.set_content(text)
    return mail.as_bytes()


def worker(config: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from imapclient import IMAPClient

    from kundenversteher.cases.models import Case
    from kundenversteher.customers.models import Customer, CustomerIdentity
    from kundenversteher.demo import services as demo
    from kundenversteher.demo.texts import MessageFacts, TextGenerator
    from kundenversteher.intake.mail import crypto, imap
    from kundenversteher.intake.mail.models import Mailbox, Security
    from kundenversteher.intake.models import InboundMessage

    sys.path.insert(0, str(ROOT))
    from tests.intake.mail.servers import Dovecot

    call_command("migrate", verbosity=0)
    demo.load_demo(size="tiny", seed=2026)
    people = list(
        CustomerIdentity.objects.filter(kind=CustomerIdentity.Kind.EMAIL)
        .select_related("customer")
        .order_by("pk")
    )
    generator = TextGenerator(7)

    def next_mail(i: int) -> bytes:
        identity = people[i % len(people)]
        customer: Customer = identity.customer
        facts = MessageFacts(
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=identity.value,
        )
        mail = generator.customer_mail(facts=facts)
        return _mail_bytes(
            subject=mail.subject,
            text=mail.text,
            sender=identity.value,
            name=f"{customer.first_name} {customer.last_name}".strip(),
        )

    root = Path(tempfile.mkdtemp(prefix="kv-bench-dovecot-"))
    server = Dovecot(root)
    server.start()
    try:
        user = f"bench-{uuid.uuid4().hex[:8]}@brenner.test"
        mailbox = Mailbox.objects.create(
            name="Service",
            email_address="service@brenner-waermetechnik.de",
            imap_host="127.0.0.1",
            imap_port=server.port,
            imap_security=Security.NONE,
            imap_username=user,
            imap_password_encrypted=crypto.encrypt(server.password),
        )
        client = IMAPClient("127.0.0.1", port=server.port, ssl=False)
        client.login(user, server.password)

        def run_worker() -> None:
            call_command(
                "db_worker",
                "--batch",
                "--interval",
                "0",
                "--queue-name",
                "default",
                verbosity=0,
            )

        # Warm-up: load the models and fill caches with one mail, not measured.
        client.append("INBOX", next_mail(10_000))
        imap.poll_mailbox(mailbox_id=mailbox.pk)
        run_worker()

        n = int(config["mails"])
        for i in range(n):
            client.append("INBOX", next_mail(i))
        before = set(InboundMessage.objects.values_list("pk", flat=True))
        profiler = cProfile.Profile() if config.get("profile") else None
        if profiler:
            profiler.enable()
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = imap.poll_mailbox(mailbox_id=mailbox.pk)
        t1 = time.perf_counter()
        run_worker()
        t2 = time.perf_counter()
        cpu = time.process_time() - c0
        if profiler:
            profiler.disable()
        burst = InboundMessage.objects.exclude(pk__in=before)
        rows = list(burst.values("received_at", "processed_at", "state", "case_id"))
        done = [r for r in rows if r["processed_at"] is not None]
        latencies = [(r["processed_at"] - r["received_at"]).total_seconds() for r in done]
        case_ids = {r["case_id"] for r in rows if r["case_id"]}
        cases = Case.objects.filter(pk__in=case_ids)

        # Unloaded latency: one mail at a time, APPEND done → case routed.
        single: list[float] = []
        for i in range(int(config["singles"])):
            client.append("INBOX", next_mail(n + i))
            s0 = time.perf_counter()
            imap.poll_mailbox(mailbox_id=mailbox.pk)
            run_worker()
            single.append(time.perf_counter() - s0)
        client.logout()
    finally:
        server.kill()
        shutil.rmtree(root, ignore_errors=True)

    out: dict[str, Any] = {
        "backend": config["backend"],
        "vendor": connection.vendor,
        "mails": n,
        "fetched": result.fetched,
        "states": {s: sum(1 for r in rows if r["state"] == s) for s in {r["state"] for r in rows}},
        "messages_per_second": round(n / (t2 - t0), 1),
        "fetch_per_second": round(n / (t1 - t0), 1),
        "process_per_second": round(n / (t2 - t1), 1),
        "burst_seconds": round(t2 - t0, 2),
        # CPU of this process only (not PostgreSQL's, not Dovecot's): on a loaded machine the
        # wall-clock rates above are mostly waiting for a core; this is what one message costs.
        "cpu_ms_per_message": round(cpu / n * 1000, 1),
        "messages_per_cpu_second": round(n / cpu, 1),
        "burst_latency_p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "burst_latency_p95_s": round(percentile(latencies, 95), 3) if latencies else None,
        "unloaded_latency_p50_ms": round(statistics.median(single) * 1000, 1) if single else None,
        "unloaded_latency_p95_ms": round(percentile(single, 95) * 1000, 1) if single else None,
        "cases": cases.count(),
        "routed_to_team": cases.exclude(team=None).count(),
        "customer_identified": cases.exclude(customer=None).count(),
    }
    if profiler:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(40)
        out["profile_top"] = buffer.getvalue()[-12000:]
    return out


# --------------------------------------------------------------------------- parent


def ensure_models(model_dir: Path | None) -> Path:
    """A trained intent model, as a deployment would have: given, or trained once and cached."""
    if model_dir is not None:
        return model_dir
    if (MODEL_CACHE / "intents" / "report.json").is_file():
        return MODEL_CACHE
    MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    data = MODEL_CACHE / "training.csv"
    env = {**_env("sqlite:///:memory:", Path(tempfile.mkdtemp())), "KV_MODEL_DIR": str(MODEL_CACHE)}
    export = (
        "import django; django.setup(); from pathlib import Path; "
        "from kundenversteher.demo.services import export_training; "
        f"export_training(Path({str(data)!r}), count={TRAINING_ROWS}, seed=99)"
    )
    subprocess.run([sys.executable, "-c", export], env=env, check=True)  # noqa: S603
    kv = str(Path(sys.executable).with_name("kundenversteher"))
    subprocess.run(  # noqa: S603 - our own command
        [kv, "train", "intents", "--data", str(data), "--promote", "--force", "--verbosity", "0"],
        env=env,
        check=True,
        capture_output=True,
    )
    return MODEL_CACHE


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kundenversteher.settings",
        "KV_DATABASE_URL": db_url,
        "KV_DATA_DIR": str(data_dir),
        "KV_SECRET_KEY": "benchmark-only",
        "KV_DEBUG": "0",
        "KV_FAST_PASSWORD_HASHER": "1",
        "KV_LOG_LEVEL": "WARNING",
    }


def run_backend(
    backend: str, db_url: str, data_dir: Path, config: dict[str, Any]
) -> dict[str, Any]:
    env = {**_env(db_url, data_dir), "KV_MODEL_DIR": config["model_dir"]}
    payload = json.dumps({**config, "backend": backend})
    proc = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--worker", payload],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"backend": backend, "error": proc.stderr.strip().splitlines()[-5:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def postgres_url() -> str:
    if url := os.environ.get("KV_BENCH_PG_URL"):
        return url
    proc = subprocess.run(  # noqa: S603 - the project's own script
        [str(ROOT / "scripts" / "test-postgres.sh"), "start"],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip().splitlines()[-1]


def machine() -> dict[str, Any]:
    import sqlite3

    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="100 mails, 10 single, quick OCR")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--mails", type=int, default=None, help="burst size (default 500)")
    parser.add_argument("--singles", type=int, default=None, help="unloaded samples (default 30)")
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--profile", action="store_true", help="cProfile the burst")
    parser.add_argument("--no-ocr", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return

    config: dict[str, Any] = {
        "mails": args.mails or (100 if args.quick else 500),
        "singles": args.singles or (10 if args.quick else 30),
        "model_dir": str(ensure_models(args.model_dir)),
        "profile": args.profile,
    }
    backends = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results: list[dict[str, Any]] = []
    load_before = round(os.getloadavg()[0], 2)
    for backend in backends:
        data_dir = Path(tempfile.mkdtemp(prefix=f"kv-bench-intake-{backend}-"))
        try:
            if backend == "sqlite":
                url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
                results.append(run_backend(backend, url, data_dir, config))
            else:
                server = postgres_url()
                name = f"kv_bench_intake_{uuid.uuid4().hex[:8]}"
                pg_admin(server, f'CREATE DATABASE "{name}"')
                try:
                    results.append(
                        run_backend(backend, with_database(server, name), data_dir, config)
                    )
                finally:
                    pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)

    ocr: dict[str, Any] | None = None
    if not args.no_ocr:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            import intake_ocr

            ocr = intake_ocr.run(quick=args.quick)
        except Exception as exc:
            ocr = {"error": f"{type(exc).__name__}: {exc}"}

    print(
        f"\n{'database':10} {'msgs/s':>8} {'fetch/s':>8} {'proc/s':>8} {'burst p95 s':>12} "
        f"{'1-mail p50 ms':>14} {'1-mail p95 ms':>14} {'CPU ms/msg':>11} {'routed':>8} "
        f"{'identified':>11}"
    )
    for r in results:
        if "error" in r:
            print(f"{r['backend']:10} ERROR {r['error']}")
            continue
        print(
            f"{r['backend']:10} {r['messages_per_second']:>8} {r['fetch_per_second']:>8} "
            f"{r['process_per_second']:>8} {r['burst_latency_p95_s']!s:>12} "
            f"{r['unloaded_latency_p50_ms']!s:>14} {r['unloaded_latency_p95_ms']!s:>14} "
            f"{r['cpu_ms_per_message']:>11} "
            f"{r['routed_to_team']:>4}/{r['cases']:<3} {r['customer_identified']:>6}/{r['cases']}"
        )
    if ocr is not None:
        print("\nOCR:", json.dumps({k: v for k, v in ocr.items() if not isinstance(v, list)})[:800])

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    target = RESULTS_DIR / ("intake.quick.json" if args.quick else "intake.json")
    payload = {
        "benchmark": "intake",
        "config": {k: v for k, v in config.items() if k != "model_dir"},
        "model": "intent model trained on demo texts"
        if args.model_dir is None
        else str(args.model_dir),
        "machine": {**machine(), "load_avg_1m_before": load_before},
        "results": results,
        "ocr": ocr,
    }
    target.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
