"""Time and peak memory to refuse each spec of the hostile corpus (tests/support/hostile_specs.py).

    .venv/bin/python benchmarks/bench_hostile.py [--repeat 3] [--fuzz 0]

Each item is written to a fresh folder and loaded with ``load_specs``, as the service does; the table
gives the best wall and CPU time of ``--repeat`` loads and the peak of Python allocations (tracemalloc,
measured in a separate load so that tracing does not slow the timed ones). Target: under 1 s and a
bounded peak (well under the 50 MB of the largest input) for every item. ``--fuzz N`` then runs the
spec-loader fuzz test with N examples (CI runs 300) and reports how long it took. Other work on the
machine lowers the wall-clock figures: the CPU times are the steadier measure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaigns.spec import load_specs  # noqa: E402
from tests.support.hostile_specs import CORPUS, Hostile  # noqa: E402

TODAY = date(2026, 11, 22)


def measure(hostile: Hostile, repeat: int) -> tuple[float, float, int, int, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yaml"
        hostile.write(path)
        size = path.stat().st_size
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            result = load_specs([folder], today=TODAY)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        tracemalloc.start()
        load_specs([folder], today=TODAY)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    [problem] = result.problems
    return min(walls), min(cpus), peak, size, f"{problem.line}:{problem.col} {problem.severity}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fuzz", type=int, default=0, help="fuzz examples to run after the table")
    args = parser.parse_args()
    load_specs([ROOT / "campaign_specs"], today=TODAY)  # imports and first-use caches, not measured
    print(f"load average {os.getloadavg()[0]:.1f}; best of {args.repeat}\n")
    print("| item | input | wall ms | CPU ms | peak MB | problem at |")
    print("|---|---:|---:|---:|---:|---|")
    worst = 0.0
    for hostile in CORPUS:
        wall, cpu, peak, size, where = measure(hostile, args.repeat)
        worst = max(worst, wall)
        print(
            f"| {hostile.name} | {size / 1_048_576:.2f} MB | {wall * 1000:.1f} | {cpu * 1000:.1f} "
            f"| {peak / 1_048_576:.2f} | {where} |"
        )
    print(f"\nslowest: {worst * 1000:.0f} ms (target < 1000 ms)")
    if args.fuzz:
        env = {**os.environ, "FUZZ_EXAMPLES": str(args.fuzz)}
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_spec_hostile.py",
        ]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        print(
            f"fuzz, {args.fuzz} examples: {time.perf_counter() - started:.0f} s, {done.stdout.splitlines()[-1]}"
        )


if __name__ == "__main__":
    main()
