"""How fast a weekly report is built from a campaign with a million metric samples.

    .venv/bin/python benchmarks/bench_report.py [--samples 1000000] [--postgres]

Writes one campaign's history into a temporary SQLite database (and, with --postgres, a throwaway
PostgreSQL one): posts published over 20 weeks on X and Facebook, each read hourly (6 metrics),
plus hourly hashtag volume. Then, in a fresh process per database, builds the last week's report:
the figures (the database's GROUP BY), then the charts, HTML, CSV and JSON. Prints wall and CPU
seconds and the process's peak RSS (which includes Python, numpy and matplotlib themselves).
Target: <= 2 s and <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert  # noqa: E402

from campaigns.reports.weeks import Week  # noqa: E402
from campaigns.store.db import make_engine, session_scope  # noqa: E402
from campaigns.store.migrate import upgrade  # noqa: E402
from campaigns.store.models import Campaign, Post  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WEEK, TZ, SLUG = Week(2027, 14), "America/New_York", "bench"
WEEKS_OF_HISTORY = 20
METRICS = {
    "twitter": ("impressions", "likes", "reposts", "replies", "quotes", "bookmarks"),
    "facebook": ("media_views", "reach", "reactions", "comments", "shares", "clicks"),
}


def populate(url: str, samples: int) -> int:
    engine = make_engine(url)
    upgrade(engine)
    _, end = WEEK.bounds(TZ)
    first = end - timedelta(weeks=WEEKS_OF_HISTORY)
    hashtag_hours = WEEKS_OF_HISTORY * 7 * 24
    per_post_hours = 400
    posts = max(2, (samples - 2 * 2 * hashtag_hours) // (6 * per_post_hours))
    rng = np.random.default_rng(1)
    with session_scope(engine) as session:
        session.add(
            Campaign(
                slug=SLUG,
                name="Benchmark campaign",
                source="bench.yaml",
                content_hash="0" * 64,
                timezone=TZ,
                late_window_seconds=21600,
                planned_at=first,
                created_at=first,
                updated_at=first,
            )
        )
        session.flush()
        published = [
            first + timedelta(hours=int(h)) for h in np.sort(rng.integers(0, WEEKS_OF_HISTORY * 168, posts))
        ]
        session.execute(
            insert(Post),
            [
                {
                    "id": f"p{k}",
                    "campaign_slug": SLUG,
                    "channel": "twitter" if k % 2 else "facebook",
                    "account": "default",
                    "day": 1 + k % 5,
                    "scheduled_at": at,
                    "late_window_seconds": 21600,
                    "missed_after": at + timedelta(hours=6),
                    "text": f"Post {k} #Bench",
                    "thread": [],
                    "media": [],
                    "theme": f"Theme {k % 5}",
                    "status": "published",
                    "remote_ids": [],
                    "remote_url": f"https://example.org/p{k}",
                    "attempts": 1,
                    "published_at": at,
                    "created_at": at,
                    "updated_at": at,
                }
                for k, at in enumerate(published)
            ],
        )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        sqlite = engine.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        sql = (
            f"INSERT INTO metric_samples (campaign_slug, channel, subject_type, subject, metric, value, observed_at, source) "
            f"VALUES ({', '.join([mark] * 8)})"
        )
        hours = np.arange(1, per_post_hours + 1)
        written = 0
        for k, at in enumerate(published):
            channel = "twitter" if k % 2 else "facebook"
            finals = rng.lognormal(8, 1, 6) * np.array([1, 0.02, 0.005, 0.003, 0.001, 0.004])
            curve = 1 - np.exp(-hours / 12)
            rows = [
                (
                    SLUG,
                    channel,
                    "post",
                    f"p{k}",
                    metric,
                    int(finals[m] * curve[h - 1]),
                    _stamp(at + timedelta(hours=int(h)), sqlite),
                    "bench",
                )
                for m, metric in enumerate(METRICS[channel])
                for h in hours
            ]
            cursor.executemany(sql, rows)
            written += len(rows)
        tag_rows = []
        for h in range(hashtag_hours):
            at = _stamp(first + timedelta(hours=h), sqlite)
            for tag in ("#Bench", "#BenchDay"):
                uses = int(rng.poisson(4))
                tag_rows += [
                    (SLUG, "twitter", "hashtag", tag, "uses", uses, at, "bench"),
                    (SLUG, "twitter", "hashtag", tag, "accounts", max(0, uses - 1), at, "bench"),
                ]
        cursor.executemany(sql, tag_rows)
        raw.commit()
        return written + len(tag_rows)
    finally:
        raw.close()
        engine.dispose()


def _stamp(at: datetime, sqlite: bool) -> object:
    # What UTCDateTime stores: naive UTC text on SQLite, an aware value on PostgreSQL.
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at


def measure(url: str) -> dict[str, float]:
    """Run in a fresh process: build the figures, then render everything; times and peak RSS."""
    from campaigns.reports.build import find_campaign, render
    from campaigns.reports.report import build_week_report

    engine = make_engine(url)
    campaign = find_campaign(engine, SLUG)
    now = WEEK.due_at(TZ)
    wall, cpu = time.perf_counter(), time.process_time()
    with session_scope(engine, read_only=True) as session:
        report = build_week_report(session, campaign, WEEK, now)
    figures_wall, figures_cpu = time.perf_counter() - wall, time.process_time() - cpu
    rendered = render(report)
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert report.has_data and rendered.charts and report.top_posts
    return {
        "figures_s": round(figures_wall, 3),
        "figures_cpu_s": round(figures_cpu, 3),
        "total_s": round(total_wall, 3),
        "total_cpu_s": round(total_cpu, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "charts": len(rendered.charts),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    urls = {"sqlite": f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-report-')) / 'bench.db'}"}
    admin, pg_name = None, f"campaigns_bench_{secrets.token_hex(4)}"
    if args.postgres:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{pg_name}"')
        urls["postgresql"] = PG_SERVER.rsplit("/", 1)[0] + f"/{pg_name}"
    try:
        for name, url in urls.items():
            started = time.perf_counter()
            count = populate(url, args.samples)
            print(f"{name}: {count:,} samples written in {time.perf_counter() - started:.1f} s")
            out = subprocess.run(
                [sys.executable, __file__, "--measure", url], check=True, capture_output=True, text=True
            )
            print(f"{name}: report {WEEK}: {out.stdout.strip()}")
    finally:
        if admin is not None:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            admin.dispose()


if __name__ == "__main__":
    main()
