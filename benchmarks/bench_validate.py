"""How fast `campaigns validate` is: a large generated corpus, and the bundled specs start to finish.

    .venv/bin/python benchmarks/bench_validate.py [--campaigns 100 --days 365 --posts 3]

Large folders load on every core (``campaigns.spec.pool``: one forked worker per core); ``--one-process``
loads in this process only, for comparison. Reports posts validated per second (reading, checking and
twitter-text counting included), the CPU time of this process and of the workers, and peak memory of
each, then the wall time of the `campaigns validate` command on the bundled specs, start-up included.
Other work on the machine lowers the wall-clock figures: the load average is printed, and the CPU
times are the steadier measure.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.spec import load_specs, pool  # noqa: E402

WORDS = [
    "social",
    "service",
    "workers",
    "strengthen",
    "families",
    "children",
    "communities",
    "workforce",
    "support",
    "care",
    "protection",
    "advocacy",
    "data",
    "evidence",
    "case",
    "management",
    "training",
    "supervision",
    "frameworks",
    "competency",
    "system",
]
TAGS = ["#SSWWeek", "#socialservices", "#childprotection", "#ENDViolence", "#WSWD"]
EXTRAS = ["", " 🎉", " 👩‍👩‍👧‍👦", " 社会福祉", " café", ""]


def post_text(rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
    link = rng.choice(["{link}", "https://example.org/blog/" + "x" * rng.randint(5, 60), "example.org/ssw"])
    return f"{words.capitalize()}{rng.choice(EXTRAS)} {rng.choice(TAGS)} #SSWWeek {link}"


def write_corpus(folder: Path, campaigns: int, days: int, posts: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    total = 0
    for c in range(campaigns):
        lines = [
            f"campaign: Generated campaign {c}",
            "timezone: America/New_York",
            "start: 2027-01-01",
            'time: "09:00"',
            "channels: [twitter, facebook]",
            'hashtags: ["#SSWWeek"]',
            f"link: https://example.org/campaign-{c}",
            "days:",
        ]
        for d in range(days):
            lines += [f"  - theme: Theme of day {d + 1}", "    posts:"]
            for p in range(posts):
                lines.append(f'      - text: "{post_text(rng)}"')
                lines.append(f'        time: "{9 + p * 3:02d}:{rng.randint(0, 59):02d}"')
                total += 1
        (folder / f"campaign-{c:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def bench_corpus(args: argparse.Namespace) -> None:
    if args.one_process:
        pool.workers_for = lambda *_: 1  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        total = write_corpus(folder, args.campaigns, args.days, args.posts)
        size_mb = sum(f.stat().st_size for f in folder.iterdir()) / 1_048_576
        print(
            f"corpus: {args.campaigns} campaigns x {args.days} days x {args.posts} posts = {total:,} posts, "
            f"{size_mb:.1f} MB of YAML"
        )
        workers = pool.workers_for(args.campaigns, int(size_mb * 1_048_576))
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = load_specs([folder], today=datetime.now(UTC).date())
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.ok, result.problems[:3]
    workers_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| processes loading | {'this one' if workers == 1 else f'this one + {workers - 1} forked'} |")
    print(f"| wall time | {elapsed:.2f} s |")
    print(f"| posts validated / s (spec entries, wall clock) | {total / elapsed:,.0f} |")
    print(f"| CPU time: this process + workers | {cpu:.2f} s + {workers_cpu:.2f} s |")
    print(f"| posts validated / CPU second (all processes) | {total / (cpu + workers_cpu):,.0f} |")
    print(f"| channel posts checked / s (X + Facebook, wall clock) | {total * 2 / elapsed:,.0f} |")
    print(f"| peak memory (max RSS): this process | {peak_mb:,.0f} MB |")
    if workers > 1:
        print(f"| peak memory (max RSS): largest worker | {children.ru_maxrss / 1024:,.0f} MB |")


def bench_command(runs: int) -> None:
    command = [str(ROOT / ".venv" / "bin" / "campaigns"), "validate", str(ROOT / "campaign_specs")]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    print()
    print(f"`campaigns validate campaign_specs/` over {runs} runs, start-up included:")
    print(f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")


def main() -> None:
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}; pin with `taskset -c 1`")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--posts", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--one-process", action="store_true", help="load in this process only")
    args = parser.parse_args()
    bench_corpus(args)
    bench_command(args.runs)


if __name__ == "__main__":
    main()
