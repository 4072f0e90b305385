"""How fast `campaigns apply` is on a large change, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_apply.py [--posts 10000] [--runs 1] [--no-postgres]

Generates a spec corpus of ``--posts`` channel posts (20 campaigns, one post a day on X and Facebook,
starting tomorrow), then runs the real command in a subprocess, as a person would:

1. ``campaigns apply`` on an empty schedule: every post is new;
2. ``campaigns apply`` again: nothing changed;
3. ``campaigns apply`` after every text was edited and every other post moved by an hour.

Each run reports wall time, CPU time (user + system of the subprocess, from ``wait4``) and peak
memory (max RSS of the subprocess). Start-up (imports, settings) is included: that is what a person
waits for. PostgreSQL runs on a throwaway database that is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CAMPAIGNS = 20
CAMPAIGN = ROOT / ".venv" / "bin" / "campaigns"


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_mib: float
    last_line: str


def write_corpus(folder: Path, posts: int, *, edited: bool = False) -> int:
    """``posts`` channel posts (X + Facebook, one a day) over CAMPAIGNS files; how many were written."""
    days = max(1, posts // (2 * CAMPAIGNS))
    start = datetime.now(UTC).date() + timedelta(days=1)
    for c in range(CAMPAIGNS):
        lines = [
            f"campaign: Generated campaign {c}",
            "timezone: America/New_York",
            f"start: {start.isoformat()}",
            'time: "09:00"',
            "channels: [twitter, facebook]",
            'hashtags: ["#SSWWeek"]',
            f"link: https://example.org/campaign-{c}",
            "days:",
        ]
        for d in range(days):
            words = "reworded" if edited else "strengthen"
            lines += [
                f"  - theme: Theme of day {d + 1}",
                "    posts:",
                f'      - text: "Day {d + 1} of campaign {c}: social service workers {words} families #SSWWeek {{link}}"',
            ]
            if edited and d % 2:
                lines.append('        time: "10:00"')
        (folder / f"campaign-{c:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return days * 2 * CAMPAIGNS


def run_measured(args: list[str], env: dict[str, str]) -> Run:
    """Run the command in a subprocess and read its own resource usage (wait4 on its pid)."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        process = subprocess.Popen([str(CAMPAIGN), *args], env=env, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(process.pid, 0)  # reaps it, with its own resource usage
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"campaigns {' '.join(args)} failed ({process.returncode}):\n{err}{out}")
    lines = out.strip().splitlines()
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, lines[-1] if lines else "")


def bench(url: str, folder: Path, posts: int, runs: int, extra: list[str]) -> list[tuple[str, Run]]:
    env = dict(os.environ, DATABASE_URL=url, SPECS_DIR=str(folder))
    run_measured(["db", "upgrade"], env)
    results: list[tuple[str, Run]] = []
    for n in range(runs):
        if n:  # start again from an empty schedule
            engine = create_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM posts"))
                connection.execute(text("DELETE FROM campaigns"))
            engine.dispose()
        write_corpus(folder, posts)
        results.append((f"{posts:,} new posts", run_measured(["apply", *extra], env)))
        results.append((f"{posts:,} posts, nothing changed", run_measured(["apply", *extra], env)))
        write_corpus(folder, posts, edited=True)
        results.append((f"{posts:,} posts edited, half moved", run_measured(["apply", *extra], env)))
    return results


def report(name: str, results: list[tuple[str, Run]]) -> None:
    for what, run in results:
        print(
            f"| {name} | {what} | {run.wall_s:.2f} s | {run.cpu_s:.2f} s | {run.peak_mib:.0f} MiB | {run.last_line} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="pass --quiet to apply (no diff shown)")
    args = parser.parse_args()
    extra = ["--quiet"] if args.quiet else []
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}")
    print()
    print("| database | apply | wall | CPU | peak RSS | last line |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "specs"
        folder.mkdir()
        report("SQLite", bench(f"sqlite:///{tmp}/bench.db", folder, args.posts, args.runs, extra))
        if args.no_postgres:
            return
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        name = f"campaigns_bench_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
            report("PostgreSQL", bench(url, folder, args.posts, args.runs, extra))
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


if __name__ == "__main__":
    main()
