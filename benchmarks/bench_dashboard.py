"""How fast the dashboard answers, on SQLite and PostgreSQL (goal: <= 150 ms p95 per page).

    .venv/bin/python benchmarks/bench_dashboard.py [--campaigns 50] [--posts 10000] [--requests 60] [--no-postgres]

Seeds ``--campaigns`` campaigns (zones around the world) and ``--posts`` posts spread over a year
(2% failed, 1% missed, 1% unconfirmed, the past published), serves the dashboard with uvicorn in a
thread exactly as ``campaigns run`` does, logs in and times, over real HTTP, the month calendar
of the busiest month, a week, and the attention page: wall time per request (p50, p95, max) and the
process's CPU time per request (server and client share the process). PostgreSQL runs on a
throwaway database that is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.store.db import make_engine, session_scope  # noqa: E402
from campaigns.store.hot_path import table_of  # noqa: E402
from campaigns.store.migrate import upgrade  # noqa: E402
from campaigns.store.models import Campaign, Post  # noqa: E402
from campaigns.web.framework import WebConfig  # noqa: E402
from campaigns.web.serve import DashboardThread  # noqa: E402
from campaigns.web.users import add_user  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
START = datetime(2027, 1, 1, tzinfo=UTC)
ZONES = ["America/New_York", "Europe/London", "Africa/Nairobi", "Asia/Manila", "America/Bogota", "UTC"]
PASSWORD = "benchmark password"


def seed(engine, campaigns: int, posts: int) -> str:  # type: ignore[no-untyped-def]
    """The schedule; returns the busiest month as YYYY-MM-01."""
    rows, months = [], Counter[str]()
    for n in range(posts):
        at = START + timedelta(minutes=(n * 52_571) % (365 * 24 * 60))  # spread over the year
        slug = f"campaign-{n % campaigns:03d}"
        roll = n % 100
        status = (
            "failed" if roll < 2 else "missed" if roll < 3 else "unconfirmed" if roll < 4
            else "published" if at < NOW else "scheduled"
        )  # fmt: skip
        months[f"{at:%Y-%m}-01"] += 1
        rows.append({
            "id": f"{slug}:d{n}p1:{'twitter' if n % 2 else 'facebook'}", "campaign_slug": slug,
            "channel": "twitter" if n % 2 else "facebook", "account": "default", "day": 1 + n % 5,
            "scheduled_at": at, "late_window_seconds": 21_600, "missed_after": at + timedelta(hours=6),
            "text": f"Post {n} of the campaign #SSWWeek https://example.org/{n}", "thread": [], "media": [],
            "status": status, "status_reason": "403: the platform refused it" if status == "failed" else None,
            "remote_ids": [], "attempts": 1 if status != "scheduled" else 0,
            "created_at": START, "updated_at": START,
        })  # fmt: skip
    with session_scope(engine) as session:
        for c in range(campaigns):
            session.add(Campaign(
                slug=f"campaign-{c:03d}", name=f"Campaign {c}", source=f"campaign-{c:03d}.yaml",
                content_hash="0" * 64, timezone=ZONES[c % len(ZONES)], late_window_seconds=21_600,
                planned_at=START, created_at=START, updated_at=START,
            ))  # fmt: skip
        session.flush()
        session.connection().execute(insert(table_of(Post)), rows)
        add_user(session, name="bench", role="editor", password=PASSWORD, now=NOW)
    return months.most_common(1)[0][0]


def measure(client: httpx.Client, path: str, requests: int) -> dict[str, float]:
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    walls = []
    cpu0 = time.process_time()
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        walls.append(time.perf_counter() - start)
        assert response.status_code == 200
    cpu = (time.process_time() - cpu0) / requests
    walls.sort()
    p95 = walls[min(len(walls) - 1, int(len(walls) * 0.95))]
    return {
        "p50": statistics.median(walls),
        "p95": p95,
        "max": walls[-1],
        "cpu": cpu,
        "bytes": len(response.content),
    }


def bench(url: str, label: str, args: argparse.Namespace) -> list[str]:
    engine = make_engine(url)
    upgrade(engine)
    busiest = seed(engine, args.campaigns, args.posts)
    with tempfile.TemporaryDirectory() as tmp:
        config = WebConfig(engine=engine, specs_dir=Path(tmp), data_dir=Path(tmp), now=lambda: NOW)
        server = DashboardThread(config, "127.0.0.1", _free_port())
        assert server.start()
        try:
            with httpx.Client(base_url=server.url.rstrip("/"), timeout=30) as client:
                origin = server.url.rstrip("/")
                login = client.post("/login", data={"name": "bench", "password": PASSWORD, "next": "/"},
                                    headers={"Origin": origin})  # fmt: skip
                assert login.status_code == 303
                pages = {
                    f"calendar, month {busiest[:7]}": f"/calendar?view=month&date={busiest}&tz=UTC",
                    "calendar, week": f"/calendar?view=week&date={busiest}&tz=Europe/London",
                    "attention": "/attention",
                }
                lines = []
                for name, path in pages.items():
                    m = measure(client, path, args.requests)
                    posts = client.get(path).text.count('class="post ')
                    lines.append(
                        f"| {label} | {name} | {posts if 'calendar' in name else '-'} | {m['p50'] * 1000:.1f} | "
                        f"**{m['p95'] * 1000:.1f}** | {m['max'] * 1000:.1f} | {m['cpu'] * 1000:.1f} | {m['bytes'] // 1024} |"
                    )
        finally:
            server.stop()
            engine.dispose()
    return lines


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    lines = [
        "| database | page | posts shown | p50 ms | p95 ms | max ms | CPU ms/request | KiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        lines += bench(f"sqlite:///{tmp}/dashboard.db", "SQLite", args)
    if not args.no_postgres:
        name = f"bench_dashboard_{secrets.token_hex(4)}"
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
            lines += bench(url, "PostgreSQL", args)
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    print(f"{args.campaigns} campaigns, {args.posts} posts over 2027; {args.requests} requests per page; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("\n".join(lines))


if __name__ == "__main__":
    main()
