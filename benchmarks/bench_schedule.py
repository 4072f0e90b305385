"""How fast the schedule store is, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_schedule.py [--posts 10000] [--batch 100] [--no-postgres]

Measures, per database: claiming every due post in batches (what the dispatcher does each tick),
single conditional transitions (what a worker does per post), the dispatcher's empty tick, applying
the bundled campaign specs, and ``sync_specs`` when no file changed (what the service does every
few seconds). PostgreSQL runs on a throwaway database that is dropped at the end.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.spec import load_specs  # noqa: E402
from campaigns.store.db import make_engine, session_scope  # noqa: E402
from campaigns.store.dispatch import claim_due_posts  # noqa: E402
from campaigns.store.migrate import upgrade  # noqa: E402
from campaigns.store.models import Campaign, Post  # noqa: E402
from campaigns.store.states import PostStatus, transition  # noqa: E402
from campaigns.store.sync import apply_specs, sync_specs  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
BUNDLED = ROOT / "campaign_specs"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def seed(engine, posts: int) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        session.add(
            Campaign(
                slug="bench",
                name="Bench",
                source="bench.yaml",
                content_hash="0" * 64,
                timezone="UTC",
                late_window_seconds=6 * 3600,
                planned_at=NOW,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    rows = [
        {
            "id": f"bench:{n:06}:twitter",
            "campaign_slug": "bench",
            "channel": "twitter",
            "account": "default",
            "day": 1,
            "scheduled_at": NOW - timedelta(seconds=n % 600),
            "late_window_seconds": 6 * 3600,
            "missed_after": NOW + timedelta(hours=6),
            "text": f"post {n}",
            "thread": [],
            "media": [],
            "remote_ids": [],
            "status": "scheduled",
            "attempts": 0,
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(posts)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Post), rows)


def bench(url: str, fresh: Callable[[], str], posts: int, batch: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, posts)

    claimed: list[str] = []

    def claim_all() -> None:
        while True:
            with session_scope(engine) as session:
                ids = claim_due_posts(session=session, now=NOW, worker="bench", limit=batch)
            if not ids:
                return
            claimed.extend(ids)

    claim_s = timed(claim_all)
    assert len(claimed) == posts, len(claimed)
    sample = claimed[:500]
    latencies = []
    for post_id in sample:
        start = time.perf_counter()
        with session_scope(engine) as session:
            transition(
                session=session, post_id=post_id, expected=PostStatus.CLAIMED, to=PostStatus.SENDING, now=NOW
            )
        latencies.append(time.perf_counter() - start)

    def empty_tick() -> None:
        with session_scope(engine) as session:
            claim_due_posts(session=session, now=NOW, worker="bench", limit=batch)

    ticks = [timed(empty_tick) for _ in range(50)]
    engine.dispose()

    fresh_url = fresh()
    engine = make_engine(fresh_url)
    upgrade(engine)
    loaded = load_specs([BUNDLED], today=NOW.date())
    apply_s = timed(lambda: apply_specs(engine=engine, specs=loaded.campaigns, now=NOW))
    reapply_s = timed(
        lambda: apply_specs(engine=engine, specs=loaded.campaigns, now=NOW + timedelta(minutes=1))
    )
    unchanged = [timed(lambda: sync_specs(engine=engine, specs_dir=BUNDLED, now=NOW)) for _ in range(50)]
    engine.dispose()

    name = make_url(url).get_backend_name()
    ms = 1000
    print(
        f"{name}: claimed {posts} due posts in batches of {batch}: {claim_s:.2f} s ({posts / claim_s:,.0f} posts/s)"
    )
    print(
        f"{name}: claimed -> sending, one post per transaction: median {statistics.median(latencies) * ms:.2f} ms,"
        f" p99 {sorted(latencies)[int(len(latencies) * 0.99) - 1] * ms:.2f} ms"
    )
    print(
        f"{name}: empty dispatcher tick with {posts} rows claimed: median {statistics.median(ticks) * ms:.2f} ms"
    )
    print(
        f"{name}: apply the bundled specs ({len(loaded.campaigns)} campaigns) to an empty schedule: {apply_s * ms:.0f} ms,"
        f" again with nothing to change: {reapply_s * ms:.0f} ms"
    )
    print(f"{name}: sync_specs with no file changed: median {statistics.median(unchanged) * ms:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/bench.db", lambda: f"sqlite:///{folder}/fresh.db", args.posts, args.batch)
    if args.no_postgres:
        return
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def database() -> str:
        name = f"campaigns_bench_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        created.append(name)
        return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)

    try:
        bench(database(), database, args.posts, args.batch)
    finally:
        with admin.connect() as connection:
            for name in created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
