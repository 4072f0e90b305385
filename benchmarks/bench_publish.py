"""How fast and how late the service publishes: real Celery processes on Redis and PostgreSQL.

    .venv/bin/python benchmarks/bench_publish.py [--posts 10000] [--accounts 100] [--workers 1]
        [--concurrency 16] [--pool prefork|threads] [--latency 0.02] [--rate 20] [--seconds 60] [--skip-burst] [--skip-steady]

(a) burst: ``--posts`` posts due in the same second, spread over ``--accounts`` sandbox accounts
    (half X accounts, half Facebook Pages), published by ``--workers`` ``celery -A worker worker``
    processes (``--concurrency`` each, ``-Q publish,publish_late,reconcile``; the defaults are
    docker-compose.yml's: one worker of 16 prefork processes), one worker for the ticks (``-Q
    ticks``, as docker-compose.yml runs it) and one beat: posts/s, time to drain (goal
    <= 30 s), lateness p50/p95/p99/max, the lateness of three regular posts of another account due
    during the burst (goal <= 1 s), duplicates and lost posts (both must be 0), and the CPU time used
    per post (Celery processes, PostgreSQL backends, sandbox; from /proc): the figure to compare
    across runs on a machine shared with other work, where the others depend on its load;
(b) steady: ``--rate`` posts/s for ``--seconds`` seconds: lateness p99 (goal <= 1 s).

Lateness is from a post's ``scheduled_at`` to the sandbox's record of the 201 (its ground truth,
``created_at``); duplicates and losses are counted against that ground truth too. The sandbox runs
as its own process, answering every write after ``--latency`` seconds (its latency fault), with
the X per-user write limit raised so that the benchmark measures us, not the limit. PostgreSQL is
a throwaway database, Redis keys carry a unique prefix; both are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import Engine, create_engine, func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.store.db import make_engine, session_scope  # noqa: E402
from campaigns.store.migrate import upgrade  # noqa: E402
from campaigns.store.models import Attempt, Campaign, Post  # noqa: E402

PG_SERVER = os.environ.get("CAMPAIGNS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CAMPAIGNS_TEST_REDIS", "redis://127.0.0.1:6379/0")
LEAD = timedelta(seconds=15)  # workers start and warm up before the first post is due
TERMINAL = ("published", "failed", "missed", "cancelled")
REGULAR_AT = (5.0, 10.0, 20.0)  # seconds after the burst's time: posts of another account
# The Celery processes' CPU by kind: publishing workers' main processes, their pool children (where
# the tasks run with the prefork pool), the ticks worker with its child, the beat.
CELERY_KINDS = ("worker main", "worker pool", "ticks", "beat")
CHILD_KIND = {"worker main": "worker pool", "ticks": "ticks"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def admin(url: str, method: str, path: str, body: object = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def wait_for_sandbox(url: str) -> None:
    """Until the sandbox process started at ``url`` answers (30 s at most)."""
    for _ in range(300):
        try:
            admin(url, "GET", "/_sandbox/clock")
            return
        except OSError:
            time.sleep(0.1)


@dataclass
class Rig:
    """The processes and the throwaway database of one benchmark run."""

    engine: Engine
    sandbox_url: str
    processes: list[subprocess.Popen[bytes]]
    kinds: list[str]  # of each process: "sandbox" or one of CELERY_KINDS

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def start_rig(args: argparse.Namespace, db_url: str, prefix: str, logs: Path) -> Rig:
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITTER_", "FACEBOOK_"))} | {
        "DATABASE_URL": db_url,
        "REDIS_URL": REDIS_URL,
        "BROKER_PREFIX": prefix,
        "DATA_DIR": str(logs),
        "SPECS_DIR": str(logs / "specs"),  # empty: the spec sync leaves the benchmark's posts alone
        "SANDBOX_URL": sandbox_url,
        "SANDBOX_EXTRA_ACCOUNTS": str(args.accounts),
        "PYTHONUNBUFFERED": "1",
    }
    (logs / "specs").mkdir(parents=True, exist_ok=True)

    def spawn(name: str, *argv: str) -> subprocess.Popen[bytes]:
        with (logs / f"{name}.log").open("wb") as out:
            return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    python = sys.executable
    processes = [
        spawn("sandbox", python, "-m", "sandbox", "--port", str(port), "--accounts", str(args.accounts))
    ]
    wait_for_sandbox(sandbox_url)
    admin(
        sandbox_url,
        "POST",
        "/_sandbox/faults",
        {"kind": "latency", "seconds": args.latency, "method": "POST"},
    )
    admin(sandbox_url, "POST", "/_sandbox/limits", {"POST /2/tweets": 10_000_000})
    celery = (python, "-m", "celery", "-A", "worker")
    for n in range(args.workers):
        worker = (
            "worker",
            "--queues",
            "publish,publish_late,reconcile",
            "--pool",
            args.pool,
            "--concurrency",
            str(args.concurrency),
            "--hostname",
            f"bench{n}@%h",
        )
        processes.append(spawn(f"worker{n}", *celery, *worker, "--loglevel", "WARNING", "--without-gossip"))
    # The beat's ticks have a worker of their own, as in docker-compose.yml (worker/queues.py).
    ticks = ("worker", "--queues", "ticks", "--concurrency", "1", "--hostname", "benchticks@%h")
    processes.append(spawn("ticks", *celery, *ticks, "--loglevel", "WARNING", "--without-gossip"))
    processes.append(
        spawn("beat", *celery, "beat", "--loglevel", "WARNING", "-s", str(logs / "beat-schedule"))
    )
    kinds = ["sandbox"] + ["worker main"] * args.workers + ["ticks", "beat"]
    return Rig(make_engine(db_url, pool_size=2), sandbox_url, processes, kinds)


def roles_by_pid(rig: Rig) -> dict[int, tuple[str, list[str]]]:
    """The rig's processes, their pool children and the database's backends, by pid: what each
    does and its ``/proc/<pid>/stat`` fields. Linux only (read from /proc); empty elsewhere."""
    # The Celery processes by what they do: the publishing workers' main processes (broker, pool
    # management) and their pool children (our code), the ticks worker (and its child), the beat.
    kinds = {p.pid: kind for p, kind in zip(rig.processes, rig.kinds, strict=True)}
    with rig.engine.connect() as connection:
        backends = connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = {int(pid): "postgres" for (pid,) in backends}
    roles = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.parent.name), int(fields[1])
        role = kinds.get(pid) or backends.get(pid) or CHILD_KIND.get(kinds.get(parent, ""))
        if role:
            roles[pid] = (role, fields)
    return roles


def cpu_by_pid(rig: Rig) -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) used so far by each process of the rig (``roles_by_pid``): a
    figure the machine's other load does not change."""
    tick = os.sysconf("SC_CLK_TCK")
    return {
        pid: (role, (int(fields[11]) + int(fields[12])) / tick)
        for pid, (role, fields) in roles_by_pid(rig).items()
    }


def celery_memory(rig: Rig) -> str:
    """The Celery processes' memory now, as a line: proportional set size (PSS), so that the pages a prefork
    child shares with its parent are counted once, not once per child."""
    pss: dict[str, list[float]] = {kind: [] for kind in CELERY_KINDS}
    roles = roles_by_pid(rig)
    for pid, (role, _) in roles.items():
        if role not in pss:
            continue
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        kib = next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
        pss[role].append(kib / 1024)
    total = sum(sum(values) for values in pss.values())
    text = ", ".join(f"{kind} {len(v)} x {sum(v) / len(v):.0f}" for kind, v in pss.items() if v)
    backends = sum(role == "postgres" for role, _ in roles.values())
    return f"{total:8.0f} MB   ({text} MB); {backends} PostgreSQL connections"


def report_cpu(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], posts: int) -> None:
    used: dict[str, float] = dict.fromkeys((*CELERY_KINDS, "postgres", "sandbox"), 0.0)
    for pid, (role, seconds) in after.items():
        used[role] += seconds - before.get(pid, (role, 0.0))[1]
    if posts and any(used.values()):
        celery = sum(used[kind] for kind in CELERY_KINDS)
        text = ", ".join(f"{role} {used[role] / posts * 1000:.1f}" for role in ("postgres", "sandbox"))
        row(
            "CPU per post",
            f"{(celery + used['postgres'] + used['sandbox']) / posts * 1000:8.1f} ms   "
            f"(celery {celery / posts * 1000:.1f}, {text})",
        )
        text = ", ".join(f"{kind} {used[kind] / posts * 1000:.2f}" for kind in CELERY_KINDS)
        row("  celery's share", f"{text}")


def seed(
    engine: Engine, *, tag: str, times: list[datetime], accounts: int, account: str | None = None
) -> dict[str, datetime]:
    """One post per time, round-robin over the accounts (or all on X ``account``); returns text ->
    scheduled_at."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        if session.get(Campaign, "bench") is None:
            session.add(
                Campaign(
                    slug="bench",
                    name="Bench",
                    source="bench.yaml",
                    content_hash="0" * 64,
                    timezone="UTC",
                    late_window_seconds=6 * 3600,
                    planned_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
    rows = []
    for n, at in enumerate(times):
        k = n % accounts + 1
        channel = "twitter" if account or k <= accounts // 2 else "facebook"
        rows.append(
            {
                "id": f"bench:{tag}{n:06}:{channel}",
                "campaign_slug": "bench",
                "channel": channel,
                "account": account or f"sandbox-{k:03d}",
                "day": 1,
                "scheduled_at": at,
                "late_window_seconds": 6 * 3600,
                "missed_after": at + timedelta(hours=6),
                "text": f"bench {tag} {n} #SSWWeek",
                "thread": [],
                "media": [],
                "remote_ids": [],
                "status": "scheduled",
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    with engine.begin() as connection:
        for i in range(0, len(rows), 1000):
            connection.execute(insert(Post), rows[i : i + 1000])
    return {row["text"]: row["scheduled_at"] for row in rows}


def wait_until_settled(engine: Engine, tag: str, count: int, timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as connection:
            statuses = dict(
                connection.execute(
                    select(Post.status, func.count())
                    .where(Post.id.like(f"bench:{tag}%"))  # type: ignore[attr-defined]
                    .group_by(Post.status)
                ).all()
            )
        if sum(n for s, n in statuses.items() if s in TERMINAL) >= count or time.monotonic() > deadline:
            return statuses
        time.sleep(0.5)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(rig: Rig, planned: dict[str, datetime]) -> dict[str, Any]:
    truth = [p for p in admin(rig.sandbox_url, "GET", "/_sandbox/posts")["posts"] if p["text"] in planned]
    copies = Counter(p["text"] for p in truth)
    first = {}
    for post in truth:
        first.setdefault(post["text"], datetime.fromisoformat(post["created_at"]))
    lateness = [(first[text] - planned[text]).total_seconds() for text in first]
    created = sorted(first.values())
    return {
        "published": len(first),
        "duplicates": sum(n - 1 for n in copies.values()),
        "lost": len(planned) - len(first),
        "lateness": lateness,
        "first": created[0] if created else None,
        "last": created[-1] if created else None,
    }


def row(label: str, value: str) -> None:
    print(f"  {label:<28} {value}")


def report_lateness(lateness: list[float]) -> None:
    if not lateness:
        return
    for label, p in (("p50", 50), ("p95", 95), ("p99", 99)):
        row(f"lateness {label}", f"{percentile(lateness, p):8.3f} s")
    row("lateness max", f"{max(lateness):8.3f} s")
    row("lateness mean", f"{statistics.fmean(lateness):8.3f} s")


def burst(rig: Rig, args: argparse.Namespace) -> None:
    due = datetime.now(UTC) + LEAD
    planned = seed(rig.engine, tag="b", times=[due] * args.posts, accounts=args.accounts)
    # Regular posts due during the burst, on an account the burst does not use: on time?
    regular_times = [due + timedelta(seconds=s) for s in REGULAR_AT]
    regular = seed(rig.engine, tag="r", times=regular_times, accounts=1, account="default")
    time.sleep(
        max(0.0, (due - datetime.now(UTC)).total_seconds() - 2)
    )  # the workers' start-up is not counted
    cpu = cpu_by_pid(rig)
    statuses = wait_until_settled(rig.engine, "b", args.posts, timeout=LEAD.total_seconds() + args.timeout)
    cpu_after = cpu_by_pid(rig)
    memory = celery_memory(rig)
    wait_until_settled(rig.engine, "r", len(regular), timeout=60)
    m = measure(rig, planned)
    r = measure(rig, regular)
    drain = (m["last"] - due).total_seconds() if m["last"] else float("nan")
    active = (m["last"] - m["first"]).total_seconds() if m["first"] else float("nan")
    print(f"\n(a) burst: {args.posts} posts due at the same second, {args.accounts} accounts")
    row("published (ground truth)", f"{m['published']}")
    row("database statuses", ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
    row("duplicates / lost", f"{m['duplicates']} / {m['lost']}   (must be 0 / 0)")
    row("time to drain", f"{drain:8.1f} s   (goal <= 30 s; due -> last 201)")
    row(
        "throughput",
        f"{m['published'] / active if active > 0 else float('nan'):8.1f} posts/s   (first -> last 201)",
    )
    report_lateness(m["lateness"])
    report_cpu(cpu, cpu_after, m["published"] + r["published"])
    row("Celery memory (PSS)", memory)  # and connections
    during = ", ".join(f"{late:.3f}" for late in r["lateness"])
    row(
        "regular posts meanwhile",
        f"lateness {during} s   (another account, due {', '.join(f'+{s:g}' for s in REGULAR_AT)} s;"
        f" goal <= 1 s; lost {r['lost']})",
    )
    row("  their first attempts", regular_steps(rig.engine, regular))


def regular_steps(engine: Engine, planned: dict[str, datetime]) -> str:
    """When each regular post's first attempt started, from its due time (its claim is cleared once
    published): a late start waited for the dispatcher or for a worker, a late 201 for the platform."""
    steps = []
    with session_scope(engine) as session:
        for text, due in sorted(planned.items(), key=lambda item: item[1]):
            started = session.execute(
                select(func.min(Attempt.started_at))
                .join(Post, Post.id == Attempt.post_id)
                .where(Post.text == text)
            ).scalar_one_or_none()
            steps.append(f"{(started - due).total_seconds():+.3f}" if started else "never")
    return "started " + ", ".join(steps) + " s after their time"


def steady(rig: Rig, args: argparse.Namespace) -> None:
    start = datetime.now(UTC) + LEAD
    count = int(args.rate * args.seconds)
    times = [start + timedelta(seconds=n / args.rate) for n in range(count)]
    planned = seed(rig.engine, tag="s", times=times, accounts=args.accounts)
    statuses = wait_until_settled(
        rig.engine, "s", count, timeout=LEAD.total_seconds() + args.seconds + args.timeout
    )
    m = measure(rig, planned)
    print(f"\n(b) steady: {args.rate:g} posts/s for {args.seconds:g} s ({count} posts)")
    row("published (ground truth)", f"{m['published']}")
    row("database statuses", ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
    row("duplicates / lost", f"{m['duplicates']} / {m['lost']}")
    report_lateness(m["lateness"])
    print("  (goal: lateness p99 <= 1 s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="celery worker processes")
    parser.add_argument("--concurrency", type=int, default=16, help="pool processes (or threads) per worker")
    parser.add_argument(
        "--pool", default="prefork", choices=["prefork", "threads"], help="Celery worker pool"
    )
    parser.add_argument("--latency", type=float, default=0.02, help="seconds the sandbox takes per write")
    parser.add_argument("--rate", type=float, default=20.0, help="steady: posts per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="steady: for how long")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up waiting after this")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-steady", action="store_true")
    args = parser.parse_args()

    admin_engine = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    name = f"campaigns_bench_{secrets.token_hex(4)}"
    with admin_engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db_url = admin_engine.url.set(database=name).render_as_string(hide_password=False)
    prefix = f"campaigns-bench-{secrets.token_hex(4)}"
    rig = None
    try:
        engine = make_engine(db_url)
        upgrade(engine)
        engine.dispose()
        with tempfile.TemporaryDirectory(prefix="bench-publish-") as folder:
            rig = start_rig(args, db_url, prefix, Path(folder))
            print(
                f"{args.workers} workers x {args.concurrency} ({args.pool}), 1 beat, Redis + PostgreSQL; "
                f"sandbox answers writes after {args.latency * 1000:g} ms; {os.cpu_count()} CPUs"
            )
            if not args.skip_burst:
                burst(rig, args)
            if not args.skip_steady:
                steady(rig, args)
            rig.stop()
            rig.engine.dispose()
    finally:
        if rig is not None:
            rig.stop()
        with admin_engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_engine.dispose()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


if __name__ == "__main__":
    main()
