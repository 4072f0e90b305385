"""How long each `campaigns` command takes, from process start to exit, and what its imports cost.

    .venv/bin/python benchmarks/bench_cli.py [--runs 10]

Sets up its own world in a temporary folder, as `make run` would: a SQLite database migrated to
the newest revision, the bundled `campaign_specs/` applied, the embedded (filesystem) broker, no
credentials. No server is needed. For each command it runs one warm-up (which also writes the
`.pyc` files, as `pip install` does: the benchmark clears PYTHONDONTWRITEBYTECODE), then `--runs`
timed runs, and prints the median wall time (and CPU time, steadier on a shared machine) plus the
three largest cumulative import costs of one `python -X importtime` run.

`health` is measured twice: with a Celery worker and its embedded beat running on that world (the
"everything up" case), then with them stopped (its answer must come within its --timeout).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SPECS = ROOT / "campaign_specs"
COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", str(SPECS)],
    "plan": ["plan", str(SPECS)],
    "status": ["status"],
    "diff": ["diff"],
    "--help": ["--help"],
}
IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)")  # indent "": top level
SETTLE_SECONDS = 10  # a starting worker and beat take the CPU for a while: measure after that
CLEARED = ("DATABASE_URL", "REDIS_URL", "ACCOUNTS_FILE", "PYTHONDONTWRITEBYTECODE", "BROKER_PREFIX")


@dataclass
class Timing:
    label: str
    walls: list[float]
    cpus: list[float]
    exit_code: int
    imports: list[tuple[str, float]]

    def row(self) -> str:
        wall, cpu = statistics.median(self.walls), statistics.median(self.cpus)
        spread = f"{min(self.walls):.2f}-{max(self.walls):.2f}"
        biggest = ", ".join(f"{name} {ms:.0f} ms" for name, ms in self.imports)
        return (
            f"| `{self.label}` | **{wall:.2f} s** ({spread}) | {cpu:.2f} s | {self.exit_code} | {biggest} |"
        )


def world(folder: Path) -> dict[str, str]:
    """The environment of a fresh `make run` set-up in ``folder``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CLEARED and not k.startswith(("TWITTER_", "FACEBOOK_"))
    }
    env |= {"DATA_DIR": str(folder / "var"), "SPECS_DIR": str(SPECS)}
    return env


def run(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds (user + system) of one command, from process start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "campaigns"), *args], env=env, cwd=cwd, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def largest_imports(
    args: Sequence[str], env: dict[str, str], cwd: Path, count: int = 3
) -> list[tuple[str, float]]:
    """The ``count`` top-level imports (each with all it imports) that took longest, in ms."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "campaigns", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    top_level = [
        (match.group(3), int(match.group(1)) / 1000)
        for match in map(IMPORT_LINE.match, done.stderr.splitlines())
        if match and not match.group(2)
    ]
    return sorted(top_level, key=lambda item: item[1], reverse=True)[:count]


def measure(label: str, args: Sequence[str], env: dict[str, str], cwd: Path, runs: int) -> Timing:
    run(args, env, cwd)  # warm-up: writes the .pyc files, fills the OS's file cache
    walls, cpus, codes = [], [], set()
    for _ in range(runs):
        wall, cpu, code = run(args, env, cwd)
        walls.append(wall)
        cpus.append(cpu)
        codes.add(code)
    return Timing(label, walls, cpus, max(codes), largest_imports(args, env, cwd))


def setup(env: dict[str, str], cwd: Path) -> None:
    for args in (["db", "upgrade"], ["apply"]):
        done = subprocess.run(
            [str(BIN / "campaigns"), *args], env=env, cwd=cwd, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"`campaigns {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")


def start_worker(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """A worker with its embedded beat, as `campaigns run` starts it, once `campaigns health` is green."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "worker", "--quiet", "worker", "--beat", "--concurrency", "1"],
        env=env | {"PYTHONPATH": str(ROOT)},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if run(["health"], env, cwd)[2] == 0:
            time.sleep(SETTLE_SECONDS)
            return worker
        time.sleep(1)
    stop(worker)
    raise SystemExit("the worker and beat did not turn `campaigns health` green within 90 s")


def stop(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per command (default 10)")
    runs = parser.parse_args().runs
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        folder = Path(tmp)
        env = world(folder)
        setup(env, folder)
        timings = [measure(label, args, env, folder, runs) for label, args in COMMANDS.items()]
        worker = start_worker(env, folder)
        try:
            timings.append(measure("health (all up)", ["health"], env, folder, runs))
        finally:
            stop(worker)
        timings.append(measure("health (workers down)", ["health"], env, folder, runs))
    print(
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after; "
        f"{runs} runs per command after one warm-up"
    )
    print()
    print("| command | wall, median (min-max) | CPU, median | exit | largest imports (cumulative) |")
    print("|---|---|---|---|---|")
    for timing in timings:
        print(timing.row())


if __name__ == "__main__":
    main()
