"""One harness run: start the stack, soak, inject the plan, settle, judge, print."""

from __future__ import annotations

import heapq
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, text

from benchmarks.faultkit.inject import NotNow, Stack, Undo, inject
from benchmarks.faultkit.launch import CLOCK_VAR, FAST_VAR
from benchmarks.faultkit.load import Load
from benchmarks.faultkit.mailbox import REPORTS_VAR, Mailbox
from benchmarks.faultkit.schedule import Fault, plan
from benchmarks.faultkit.secrets_scan import new_marker, scan, sentinel_accounts
from benchmarks.faultkit.services import ROOT, Postgres, Proc, Redis, Sandbox, clean_env, service_queues
from benchmarks.faultkit.verdict import (
    FINAL,
    Verdict,
    Window,
    judge,
    judge_metrics,
    judge_reports,
    percentile,
    rss_mb,
    slope_mb_per_hour,
)
from campaigns.metrics import names
from campaigns.metrics.schedule import Polling
from campaigns.reports.weeks import week_at
from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade

LAUNCH = [sys.executable, "-m", "benchmarks.faultkit.launch"]
MARKER = new_marker()  # every credential of the run starts with it (secrets_scan)
RESTART_AFTER = 1.0  # seconds before a killed process is started again (a supervisor's delay)
RETRY_AFTER = 0.5  # seconds before a fault that could not be done yet (NotNow) is tried again
RETRIES = 60  # ... at most this many times, then it is counted as not injected
FAULTS_PROGRESS_EVERY = 60.0  # seconds between progress lines while faults are injected
SOAK_PROGRESS_EVERY = 300.0
# --fast: a 429 storm's window resets after this many seconds, not X's 15 minutes (Graph: 1 minute,
# its shortest), so that a short run sees the held posts go out: a storm of up to 20 429s holds an
# account once per 429 it meets.
FAST_RATE_RESET = 5.0
METRICS_EVERY = 60  # METRICS_YOUNG_INTERVAL and METRICS_INTERVAL of the run, seconds
REPORTS_EVERY = 5.0  # the weekly-reports tick of the run (production: hourly)
RECIPIENT = "comms@example.org"  # REPORT_RECIPIENTS: every report and the digest


@dataclass(frozen=True)
class Options:
    seed: int
    seconds: float
    kills: int
    each: int
    soak: float
    campaigns: int
    fast: bool
    settle: float
    skip: tuple[str, ...] = ()  # fault kinds left out (the in-suite run: those that hold posts for minutes)


def start_service(options: Options, folder: Path, out: Callable[[str], None]) -> Stack:
    redis = Redis(folder / "redis")
    try:
        postgres = Postgres(folder / "postgres")
    except BaseException:
        redis.proc.kill()
        raise
    try:
        sandbox = Sandbox(folder, accounts=0, seed=options.seed)
        accounts = sentinel_accounts(MARKER, sandbox, options.campaigns, folder)
    except BaseException:
        redis.proc.kill()
        postgres.remove()
        raise
    try:
        mailbox = Mailbox()
    except BaseException:
        redis.proc.kill()
        postgres.remove()
        sandbox.proc.kill()
        raise
    engine = make_engine(postgres.url, pool_size=2)
    upgrade(engine)
    # the first minute far enough ahead for the spec sync (every 10 s; 1 s with --fast) to apply it
    lead = timedelta(seconds=10 if options.fast else 40)
    start = (datetime.now(UTC) + lead + timedelta(seconds=59)).replace(second=0, microsecond=0)
    minutes = int((options.soak + options.seconds) // 60)
    load = Load(
        folder / "specs", options.campaigns, secrets.token_hex(3), start, start + timedelta(minutes=minutes)
    )
    load.write()
    clock_file = folder / "clock-offset"
    clock_file.write_text("0")
    # the run's week falls due a third into the fault phase, so that faults hit its sending
    reports_due_at = start.timestamp() + options.soak + options.seconds / 3
    env = clean_env(
        DATABASE_URL=postgres.url, REDIS_URL=redis.url, BROKER_PREFIX="faults", DATA_DIR=str(folder / "var"),
        SPECS_DIR=str(load.specs), SANDBOX_URL=sandbox.url, ACCOUNTS_FILE=str(accounts),
        METRICS_YOUNG_INTERVAL=str(METRICS_EVERY), METRICS_INTERVAL=str(METRICS_EVERY),
        REPORT_RECIPIENTS=RECIPIENT, HTTP_TIMEOUT="5", **{CLOCK_VAR: str(clock_file)}, **mailbox.env(),
        **{REPORTS_VAR: f"{REPORTS_EVERY},{reports_due_at}"},
    )  # fmt: skip
    if options.fast:
        env[FAST_VAR] = "3,2,1"
    queues = service_queues()
    workers = [
        Proc(f"worker{n}", [*LAUNCH, "worker", "--hostname", f"w{n}@%h", "--concurrency", "2", "--queues",
                            queues, "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
             env, folder / f"worker{n}.log")
        for n in range(2)
    ]  # fmt: skip
    beats = [
        Proc(f"beat{n}", [*LAUNCH, "beat", "--loglevel", "INFO", "-s", str(folder / f"beat{n}-schedule")],
             env, folder / f"beat{n}.log")
        for n in range(2)
    ]  # fmt: skip
    out(f"stack: own Redis :{redis.port}, own PostgreSQL :{postgres.port}, sandbox :{sandbox.port}, "
        f"2 workers x 2 ({queues}), 2 beats; {options.campaigns} campaigns, posts every minute "
        f"{start:%H:%M}-{load.last:%H:%M} UTC; SMTP :{mailbox.port}, weekly reports due at "
        f"{datetime.fromtimestamp(reports_due_at, UTC):%H:%M:%S} UTC")  # fmt: skip
    reset_in = FAST_RATE_RESET if options.fast else None
    return Stack(redis, postgres, sandbox, workers, beats, load, clock_file, engine, reset_in, mailbox=mailbox,
                 reports_due_at=reports_due_at, env=env)  # fmt: skip


def progress(stack: Stack, phase: str, elapsed: float, total: float, out: Callable[[str], None]) -> None:
    """One line: where the run is and how many posts are out (the database may be restarting)."""
    try:
        with stack.engine.connect() as connection:
            counts = dict(
                connection.execute(text("SELECT status, count(*) FROM posts GROUP BY status")).all()
            )
        posts = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
    except Exception:
        posts = "database not answering"
    restarts = sum(stack.restarts.values())
    out(f"  {datetime.now(UTC):%H:%M:%S} {phase} {elapsed / 60:.0f}/{total / 60:.0f} min; posts: {posts}; "
        f"restarts {restarts}")  # fmt: skip


def soak(stack: Stack, seconds: float, out: Callable[[str], None]) -> dict[str, list[tuple[float, float]]]:
    """Steady load, no faults: every process's memory every 5 s (the first minute is warm-up)."""
    samples: dict[str, list[tuple[float, float]]] = {}
    started = time.monotonic()
    shown = 0.0
    while (elapsed := time.monotonic() - started) < seconds:
        if elapsed > 60:
            for proc in [*stack.workers, *stack.beats, stack.sandbox.proc, stack.redis.proc]:
                samples.setdefault(proc.name, []).append((elapsed, rss_mb(proc.pid)))
        if elapsed - shown >= SOAK_PROGRESS_EVERY:
            progress(stack, "soak", elapsed, seconds, out)
            shown = elapsed
        time.sleep(5)
    return samples


def inject_plan(stack: Stack, faults: list[Fault], out: Callable[[str], None]) -> list[Window]:
    """Run the plan in time; each fault's window runs from its start to its undoing."""
    origin = time.monotonic()
    todo: list[tuple[float, int, Fault | Callable[[], None]]] = [(f.at, n, f) for n, f in enumerate(faults)]
    heapq.heapify(todo)
    windows: list[Window] = []
    skipped: Counter[str] = Counter()
    tries: Counter[int] = Counter()  # NotNow retries per planned fault (by its order in the plan)
    seq = len(todo)
    total = max((f.at for f in faults), default=0.0)
    shown = 0.0
    while todo:
        at, order, item = heapq.heappop(todo)
        time.sleep(max(0.0, origin + at - time.monotonic()))
        if at - shown >= FAULTS_PROGRESS_EVERY:
            progress(stack, f"faults ({len(windows)} injected)", at, total, out)
            shown = at
        if not isinstance(item, Fault):
            item()
            continue
        start = time.time()
        try:
            undo = inject(stack, item)
        except Exception as e:  # a fault that could not be done is reported, not fatal
            tries[order] += 1
            if isinstance(e, NotNow) and tries[order] <= RETRIES:  # e.g. a kill while both workers
                heapq.heappush(todo, (at + RETRY_AFTER, order, item))  # are down: when one is back
                continue
            if not skipped[item.kind]:
                out(f"  ! {item.kind} at {item.at:.1f} s could not be injected: {e}")
            skipped[item.kind] += 1
            continue
        window = Window(item.kind, start, start)
        windows.append(window)
        if undo is not None:
            delay = item.seconds or RESTART_AFTER

            def finish(undo: Undo = undo, window: Window = window) -> None:
                undo()
                window.end = time.time()

            seq += 1
            heapq.heappush(todo, (at + delay, seq, finish))
        else:
            window.end = time.time()
    for kind, n in sorted(skipped.items()):
        out(f"  ! {n} {kind} not injected (the first one's reason above)")
    return windows


def settle(stack: Stack, timeout: float) -> None:
    """Until every post due is final (missed ones included), or ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with stack.engine.connect() as connection:
                # expanding: a plain tuple parameter is a syntax error on PostgreSQL, so every run
                # used to wait out the whole --settle
                pending = connection.execute(
                    text(
                        "SELECT count(*) FROM posts WHERE status NOT IN :final AND scheduled_at <= now()"
                    ).bindparams(bindparam("final", FINAL, expanding=True))
                ).scalar_one()
        except Exception:
            pending = -1
        if pending == 0:
            return
        time.sleep(2)


def run(options: Options, folder: Path, out: Callable[[str], None]) -> bool:
    stack = start_service(options, folder, out)
    try:
        if options.soak:  # the soak is steady load: from the first post due
            time.sleep(max(0.0, stack.load.first.timestamp() - time.time()))
        soak_start = time.time()
        memory = soak(stack, options.soak, out) if options.soak else {}
        soak_end = time.time()
        faults = plan(options.seed, seconds=options.seconds, kills=options.kills, each=options.each,
                      campaigns=options.campaigns, skip=options.skip)  # fmt: skip
        windows = inject_plan(stack, faults, out)
        stack.clock_file.write_text("0")
        time.sleep(max(0.0, stack.load.last.timestamp() + 5 - time.time()))
        settle(stack, options.settle)
        time.sleep(max(0.0, stack.reports_due_at + 3 * REPORTS_EVERY - time.time()))
        horizon = final_collection(stack, out)
        verdict = judge(stack.engine, stack.sandbox.admin("GET", "/_sandbox/posts")["posts"], windows)
        judge_extras(verdict, stack, horizon)
        report(verdict, windows, memory, (soak_start, soak_end), stack, out)
        found = scan(
            MARKER,
            folder=folder,
            engine=stack.engine,
            redis_url=stack.redis.url,
            configured={folder / "accounts.toml"},
        )
        out(f"  {'secrets found':<34} {len(found)}   (must be 0)" + "".join(f"\n    {f}" for f in found[:10]))
        return verdict.ok and not found
    finally:
        for proc in [*stack.workers, *stack.beats, stack.sandbox.proc]:
            proc.kill()
        if stack.mailbox is not None:
            stack.mailbox.stop()
        stack.engine.dispose()
        stack.postgres.remove()
        stack.redis.proc.kill()


def final_collection(stack: Stack, out: Callable[[str], None]) -> datetime:
    """One collection cycle run to its end (``campaigns metrics collect``, beside the service's own
    cycles), and when it started: every metrics window due by then is collected or a gap once it
    is done. A cycle over a whole run's posts can take longer than the run's 60 s tick, so the end
    of the run may fall while the service's last cycle has not reached every post yet."""
    started = datetime.now(UTC)
    done = subprocess.run(
        [sys.executable, "-m", "campaigns", "metrics", "collect"], env=stack.env, cwd=ROOT,
        capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    took = (datetime.now(UTC) - started).total_seconds()
    last = (done.stderr.strip().splitlines() or ["no message"])[-1]
    out(f"  final metrics collection: {took:.1f} s" + (f", FAILED: {last}" if done.returncode else ""))
    return started


CYCLE_DONE = re.compile(r"Task worker\.tasks\.collect_metrics\[[^\]]+\] succeeded in ([0-9.]+)s")


def cycle_seconds(workers: list[Proc]) -> list[float]:
    """How long each metrics cycle the workers finished took (Celery logs every task's runtime)."""
    return [
        float(m.group(1))
        for worker in workers
        for m in CYCLE_DONE.finditer(worker.log.read_text(errors="replace"))
    ]


def judge_extras(verdict: Verdict, stack: Stack, horizon: datetime) -> None:
    """Metrics windows (due by ``horizon``: a cycle started then and ran to its end) and weekly
    reports (the SMTP server's messages against the deliveries)."""
    every = timedelta(seconds=METRICS_EVERY)
    hashtags = {f"Faults {n}": [f"#Faults{n}"] for n in range(1, stack.load.campaigns + 1)}
    verdict.windows = judge_metrics(
        # the verdict gives the collector a tick after the cutoff: the final cycle is that tick
        stack.engine, published=verdict.published_at, cutoff=horizon + every, polling=Polling(young_every=every, every=every),
        hashtags=hashtags, metrics=names.HASHTAG_METRICS,
    )  # fmt: skip
    assert stack.mailbox is not None
    week = week_at(datetime.fromtimestamp(stack.reports_due_at, UTC), "UTC")
    received = [
        (*key, recipient)
        for message in stack.mailbox.received
        if (key := message.report_key()) is not None
        for recipient in message.recipients
    ]
    # Before reports_due_at the job's clock is early on the Monday after ``week``: nothing else is due.
    verdict.reports = judge_reports(
        stack.engine, received=received, weeks=[str(week)], recipients=[RECIPIENT]
    )


def report(verdict: Verdict, windows: list[Window], memory: dict[str, list[tuple[float, float]]],
           soak_span: tuple[float, float], stack: Stack, out: Callable[[str], None]) -> None:  # fmt: skip
    def row(label: str, value: object) -> None:
        out(f"  {label:<34} {value}")

    kinds = Counter(w.kind for w in windows)
    out("\nresult")
    row("posts", f"{verdict.posts}   ({', '.join(f'{s} {n}' for s, n in sorted(verdict.statuses.items()))})")
    row("faults", ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    row("duplicates", f"{verdict.duplicates}   (must be 0)")
    row("lost", f"{len(verdict.lost)}   (must be 0)")
    row("unconfirmed after reconciliation", f"{verdict.unconfirmed}   (must be 0)")
    row("not final or without a reason", f"{len(verdict.unexplained)}   (must be 0)")
    row("published early (clock +1 h)", f"{verdict.early}   (must be 0)")
    for line in [*verdict.lost, *verdict.unexplained][:20]:
        out(f"    {line}")
    for reason, n in verdict.reasons.most_common(8):
        row(f"  {n} x", reason)
    if verdict.windows is not None:
        w = verdict.windows
        reasons = "; ".join(f"{n} {r}" for r, n in w.gaps.most_common(4))
        row("metrics windows", f"{w.collected} collected, {sum(w.gaps.values())} gaps ({reasons or 'none'}), "
            f"{len(w.missing)} missing   (must be 0)")  # fmt: skip
        row("  judged", ", ".join(f"{n} {k}" for k, n in sorted(w.judged.items())) or "none")
        row(
            "  excluded",
            f"windows still open at the end; {w.excluded_posts} posts published in the last minute",
        )
        for line in w.missing[:10]:
            out(f"    missing: {line}")
    if verdict.reports is not None:
        r = verdict.reports
        row("reports", f"due {r.due}, sent once {r.once}, twice {len(r.twice)} (must be 0), "
            f"not sent {len(r.not_sent)} (must be 0)")  # fmt: skip
        for reason, n in r.explained.most_common(4):
            row(f"  {n} x not sent, explained", reason)
        for line in [*r.twice, *r.not_sent, *r.unexpected, *r.disagree][:10]:
            out(f"    {line}")
    outside = [late for _, late in verdict.lateness]
    row("lateness outside fault windows", f"p50 {percentile(outside, 50):.3f} s, p99 {percentile(outside, 99):.3f} s "
        f"({len(outside)} posts)")  # fmt: skip
    for kind, values in sorted(verdict.recovery.items()):
        row(f"recovery after {kind}", f"median {percentile(values, 50):.1f} s, max {max(values):.1f} s "
            f"({len(values)} measured)")  # fmt: skip
    if memory:
        soaked = verdict.late_between(*soak_span)
        row("soak lateness", f"p50 {percentile(soaked, 50):.3f} s, p99 {percentile(soaked, 99):.3f} s "
            f"({len(soaked)} posts; goal p99 <= 1 s)")  # fmt: skip
        for name, samples in sorted(memory.items()):
            row(
                f"soak memory {name}",
                f"{samples[-1][1]:.0f} MB, slope {slope_mb_per_hour(samples):+.1f} MB/h",
            )
    cycles = cycle_seconds(stack.workers)
    if cycles:
        row("metrics cycles (the service's)", f"{len(cycles)}: p50 {percentile(cycles, 50):.1f} s, "
            f"max {max(cycles):.1f} s (tick {METRICS_EVERY} s)")  # fmt: skip
    row("restarts", ", ".join(f"{k} {n}" for k, n in sorted(stack.restarts.items())) or "none")
