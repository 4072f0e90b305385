"""Does a publishing worker keep memory for each post it publishes? One process, the real path.

    .venv/bin/python benchmarks/bench_memory.py [--posts 4000] [--warm-up 500] [--step 1000]

Runs what a worker runs (the dispatcher's claim, then ``publish_batch`` on each message) in this
process, against a throwaway PostgreSQL database and the sandbox (its own process, so that the
posts it stores are not counted here). After ``--warm-up`` posts (imports, connection pools,
caches filled), it starts ``tracemalloc`` and prints, every ``--step`` posts, the Python memory
still allocated since then and the process's resident size; at the end, where the most retained
memory was allocated. A leak grows the traced figure with every step; a flat one (a few KiB of
live objects, whatever the count) means the worker's memory slope in a long run is the
allocator's, not ours. The fault harness's soak reports the slope of the real processes.
"""

from __future__ import annotations

import argparse
import gc
import secrets
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_publish import PG_SERVER, admin, free_port, seed, wait_for_sandbox  # noqa: E402
from campaigns.publishing import Context, PlatformPool, dispatch_due  # noqa: E402
from campaigns.publishing.batch import publish_batch  # noqa: E402
from campaigns.settings import load_settings  # noqa: E402
from campaigns.store.db import make_engine  # noqa: E402
from campaigns.store.migrate import upgrade  # noqa: E402

ACCOUNTS = 10


def resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def publish(ctx: Context, count: int, tag: str) -> None:
    """``count`` posts due now, published as the worker does: claimed in messages, each sent."""
    seed(ctx.engine, tag=tag, times=[datetime.now(UTC)] * count, accounts=ACCOUNTS)
    messages: list[list[str]] = []

    def enqueue(post_ids: list[str], _eta: datetime, _on_time: bool) -> None:
        messages.append(post_ids)  # run here at once: the posts are due now

    left = count
    while left > 0:
        dispatch_due(ctx, enqueue)
        while messages:
            results = publish_batch(ctx, messages.pop())
            left -= sum(result.outcome == "published" for result in results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=4000, help="posts published while traced")
    parser.add_argument("--warm-up", type=int, default=500)
    parser.add_argument("--step", type=int, default=1000)
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), "--accounts", str(ACCOUNTS)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    name = f"campaigns_bench_{secrets.token_hex(4)}"
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(server.url.set(database=name).render_as_string(hide_password=False))
    try:
        wait_for_sandbox(url)
        admin(url, "POST", "/_sandbox/limits", {"POST /2/tweets": 10_000_000})
        upgrade(engine)
        settings = load_settings(sandbox_url=url, sandbox_extra_accounts=ACCOUNTS)
        ctx = Context(engine=engine, platforms=PlatformPool(settings))
        publish(ctx, args.warm_up, "w")
        gc.collect()
        tracemalloc.start(12)
        start = tracemalloc.take_snapshot()
        print(f"after {args.warm_up} posts (warm-up): resident {resident_mb():.1f} MB; tracing from here")
        done, kept = 0, []
        while done < args.posts:
            step = min(args.step, args.posts - done)
            publish(ctx, step, f"s{done}-")
            done += step
            gc.collect()
            traced = tracemalloc.get_traced_memory()[0] / 1024
            kept.append(traced)
            print(
                f"after {args.warm_up + done:6} posts: Python memory kept {traced:7.1f} KiB, resident {resident_mb():.1f} MB"
            )
        if len(kept) > 1:
            grown = (kept[-1] - kept[0]) * 1024 / (done - args.step)
            print(f"kept from the first step to the last: {grown:+.1f} bytes a post")
        print("\nwhere the memory kept since the warm-up was allocated (largest first):")
        for stat in tracemalloc.take_snapshot().compare_to(start, "lineno")[:5]:
            print(f"  {stat.size_diff / 1024:+8.1f} KiB {stat.count_diff:+6} blocks  {stat.traceback}")
    finally:
        sandbox.terminate()
        engine.dispose()
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


if __name__ == "__main__":
    main()
