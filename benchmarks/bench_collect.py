"""One metrics collection cycle over 10,000 tracked posts, against the sandbox in its own process.

    .venv/bin/python benchmarks/bench_collect.py [--posts 10000] [--accounts 100] [--postgres]

Publishes ``--posts`` X posts over ``--accounts`` sandbox accounts (setup, not timed), records
them as published in a fresh database (SQLite file, or a throwaway PostgreSQL database), then
times ``campaigns.metrics.collect_metrics``: every post is due (never read), so the cycle reads
them all through ``GET /2/tweets`` (100 ids a request) and writes six samples each, plus the
campaign hashtag's hours. Goal: <= 30 s. Prints wall time, this process's CPU time and the
sandbox's, and checks that every post got its six samples.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.metrics.collect import collect_metrics  # noqa: E402
from campaigns.metrics.collection import CollectOptions  # noqa: E402
from campaigns.platforms import get_platform  # noqa: E402
from campaigns.publishing import Context, PlatformPool  # noqa: E402
from campaigns.settings import load_settings  # noqa: E402
from campaigns.store.db import make_engine  # noqa: E402
from campaigns.store.metrics_models import MetricSample  # noqa: E402
from campaigns.store.migrate import upgrade  # noqa: E402
from campaigns.store.models import Campaign, Post  # noqa: E402

PG_SERVER = os.environ.get("CAMPAIGNS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TAG = "#SSWWeek"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def admin(url: str, method: str, path: str, body: object = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--accounts", str(args.accounts)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = tempfile.TemporaryDirectory()
    pg_name = None
    try:
        for _ in range(100):
            try:
                admin(url, "GET", "/_sandbox/clock")
                break
            except OSError:
                time.sleep(0.1)
        admin(url, "POST", "/_sandbox/limits", {"POST /2/tweets": 10_000_000, "GET /2/tweets": 10_000_000})
        settings = load_settings(sandbox_url=url, sandbox_extra_accounts=args.accounts)
        if args.postgres:
            pg_name = f"campaigns_bench_{secrets.token_hex(4)}"
            with create_engine(PG_SERVER, isolation_level="AUTOCOMMIT").connect() as c:
                c.exec_driver_sql(f'CREATE DATABASE "{pg_name}"')
            db_url = PG_SERVER.rsplit("/", 1)[0] + f"/{pg_name}"
        else:
            db_url = f"sqlite:///{folder.name}/bench.db"
        engine = make_engine(db_url)
        upgrade(engine)

        accounts = [a.name for a in settings.sandbox_accounts("twitter", args.accounts)]
        now = datetime.now(UTC)
        print(
            f"publishing {args.posts:,} posts over {len(accounts)} sandbox accounts (setup) ...", flush=True
        )
        adapters = {a: get_platform("twitter", a, settings) for a in accounts}

        def publish(n: int) -> dict[str, Any]:
            account = accounts[n % len(accounts)]
            remote = adapters[account].publish(f"Post {n} of the benchmark {TAG}")
            return {
                "id": f"bench:p{n}:twitter",
                "campaign_slug": "bench",
                "channel": "twitter",
                "account": account,
                "day": 1,
                "scheduled_at": now,
                "late_window_seconds": 3600,
                "missed_after": now + timedelta(hours=1),
                "text": "",
                "thread": [],
                "media": [],
                "status": "published",
                "remote_ids": [remote.id],
                "attempts": 1,
                "published_at": now,
                "created_at": now,
                "updated_at": now,
            }

        with ThreadPoolExecutor(8) as pool:
            rows = list(pool.map(publish, range(args.posts)))
        with engine.begin() as connection:
            connection.execute(
                insert(Campaign).values(
                    slug="bench",
                    name="Bench",
                    source="bench.yaml",
                    content_hash="0" * 64,
                    timezone="UTC",
                    late_window_seconds=3600,
                    spec_paused=False,
                    operator_paused=False,
                    planned_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            connection.execute(insert(Post), rows)

        ctx = Context(engine=engine, platforms=PlatformPool(settings))
        options = CollectOptions(x_daily_reads=10 * args.posts)
        sandbox_cpu, cpu, wall = cpu_seconds(sandbox.pid), time.process_time(), time.perf_counter()
        summary = collect_metrics(ctx, hashtags={"bench": [TAG]}, options=options)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        sandbox_cpu = cpu_seconds(sandbox.pid) - sandbox_cpu
        with engine.connect() as connection:
            stored = connection.execute(
                select(func.count(func.distinct(MetricSample.subject))).where(
                    MetricSample.subject_type == "post"
                )
            ).scalar_one()
        result = summary.campaigns[0]
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"\none collection cycle, {args.posts:,} tracked posts, {database}, load average {os.getloadavg()[0]:.1f}"
        )
        print("| measure | value |\n|---|---|")
        print(f"| wall time of the cycle | **{wall:.2f} s** (goal: <= 30 s) |")
        print(f"| posts read / s | {result.posts_read / wall:,.0f} |")
        print(f"| CPU: collector (this process) | {cpu:.2f} s |")
        print(f"| CPU: sandbox process | {sandbox_cpu:.2f} s |")
        print(f"| samples written | {result.samples:,} (posts with 6 samples: {stored:,}) |")
        print(f"| X reads counted | {result.reads:,} |")
        print(f"| gaps | {result.gaps} |")
        ctx.platforms.close()
        engine.dispose()
        if stored != args.posts or result.gaps:
            sys.exit("FAILED: not every post was read")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
        folder.cleanup()
        if pg_name:
            with create_engine(PG_SERVER, isolation_level="AUTOCOMMIT").connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
