"""How fast `campaigns apply` is on a large change, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_apply.py [--posts 10000] [--no-postgres]

Generates a spec corpus of ``--posts`` channel posts (20 campaigns, one post a day on X and Facebook,
starting tomorrow) and applies it three times: to an empty schedule (every post new), again
(nothing changed), and after every text was edited and every other post moved by an hour.

Each apply is measured twice, each time in a fresh subprocess: ``load_specs`` + ``apply_specs``
timed inside the process (what the issue's targets are about: imports excluded), and the real
``campaigns apply`` command (summarised output) as a person runs it, start-up included. Wall time,
CPU time (the in-process figure from ``process_time``, the command's from ``wait4``) and the
process's peak memory (max RSS, interpreter and imports included). PostgreSQL runs on throwaway
databases that are dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine
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


def measured(command: list[str], env: dict[str, str]) -> tuple[str, Run]:
    """Run ``command`` in a subprocess; its output, and its own resource usage (``wait4`` on its pid)."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(process.pid, 0)  # reaps it, with its resource usage
        wall = time.perf_counter() - started
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err}{out}")
    lines = out.strip().splitlines()
    return out, Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, lines[-1] if lines else "")


def in_process(url: str, folder: Path) -> Run:
    """Load the specs and apply them in a fresh interpreter; the time of that alone (no imports)."""
    out, run = measured([sys.executable, __file__, "--child", url, str(folder)], dict(os.environ))
    child = json.loads(out)
    return Run(child["wall"], child["cpu"], run.peak_mib, child["changes"])


def child(url: str, folder: str) -> None:
    from campaigns.spec import load_specs
    from campaigns.store.db import make_engine
    from campaigns.store.sync import apply_specs

    engine = make_engine(url)
    started, cpu_started = time.perf_counter(), time.process_time()
    loaded = load_specs([Path(folder)], today=datetime.now(UTC).date())
    assert loaded.ok, loaded.problems[:3]
    applied = apply_specs(engine=engine, specs=loaded.campaigns, now=datetime.now(UTC))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    changes = f"{len(applied.posts):,} post changes"
    print(json.dumps({"wall": wall, "cpu": cpu, "changes": changes}))


def bench(name: str, urls: tuple[str, str], folder: Path, posts: int) -> None:
    """``urls``: one database for the in-process apply, one for the command."""
    command = [str(CAMPAIGN), "apply"]
    envs = [dict(os.environ, DATABASE_URL=url, SPECS_DIR=str(folder)) for url in urls]
    for env in envs:
        measured([str(CAMPAIGN), "db", "upgrade"], env)
    for scenario, edited in [("new posts", False), ("nothing changed", False), ("edited, half moved", True)]:
        write_corpus(folder, posts, edited=edited)
        what = f"{posts:,} posts, {scenario}"
        report(name, what, "load + apply_specs", in_process(urls[0], folder))
        report(name, what, "`campaigns apply`", measured(command, envs[1])[1])


def report(name: str, what: str, how: str, run: Run) -> None:
    print(
        f"| {name} | {what} | {how} | {run.wall_s:.2f} s | {run.cpu_s:.2f} s | {run.peak_mib:.0f} MiB"
        f" | {run.last_line} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}")
    print()
    print("| database | change | measured | wall | CPU | peak RSS (process) | result |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "specs"
        folder.mkdir()
        bench("SQLite", (f"sqlite:///{tmp}/inprocess.db", f"sqlite:///{tmp}/command.db"), folder, args.posts)
        if args.no_postgres:
            return
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        names = [f"campaigns_bench_{secrets.token_hex(4)}" for _ in range(2)]
        try:
            with admin.connect() as connection:
                for name in names:
                    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            url = make_url(PG_SERVER)
            pair = [url.set(database=name).render_as_string(hide_password=False) for name in names]
            bench("PostgreSQL", (pair[0], pair[1]), folder, args.posts)
        finally:
            with admin.connect() as connection:
                for name in names:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


if __name__ == "__main__":
    main()
