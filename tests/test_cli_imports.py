"""The commands answer at once because they import only what they use: each is run in a fresh
process, and the heavy libraries it must not load are looked for in ``sys.modules`` as it exits.

(How fast they are is measured by benchmarks/bench_cli.py, not here.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from campaigns.cli import COMMANDS, cli
from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "campaign_specs"
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "mako", "celery", "kombu", "tweepy", "facebook", "requests")
# Run the command as `campaigns` does, and report the heavy modules loaded once it has finished.
PROBE = """
import atexit, json, sys
heavy = json.loads(sys.argv.pop(1))
atexit.register(lambda: print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr))
from campaigns.cli import cli
cli(sys.argv[1:], prog_name="campaigns")
"""


def loaded_by(
    args: list[str], env: dict[str, str], cwd: Path, *, heavy: tuple[str, ...] = HEAVY
) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(heavy), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: a red health check; anything else is a crash
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A migrated SQLite schedule in ``tmp_path`` and the embedded broker; nothing from outside."""
    url = f"sqlite:///{tmp_path / 'campaigns.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ACCOUNTS_FILE")}
    return inherited | {
        "DATABASE_URL": url,
        "DATA_DIR": str(tmp_path / "var"),
        "SPECS_DIR": str(SPECS),
        "PYTHONPATH": str(ROOT),
    }


@pytest.mark.parametrize(
    "args", [["validate", str(SPECS)], ["plan", str(SPECS), "--format", "json"]], ids=["validate", "plan"]
)
def test_the_spec_commands_load_no_database_broker_or_platform_library(
    args: list[str], env: dict[str, str], tmp_path: Path
):
    assert loaded_by(args, env, tmp_path) == []


# The commands that read the schedule read it through SQLAlchemy Core (campaigns.store.core_tables):
# no SQLModel, no ORM, no pydantic model per table.
CORE_ONLY = (*HEAVY, "sqlalchemy.orm")


@pytest.mark.parametrize("args", [["status"], ["diff"], ["db", "current"]], ids=["status", "diff", "db"])
def test_the_schedule_commands_check_the_revision_without_alembic_and_read_through_core(
    args: list[str], env: dict[str, str], tmp_path: Path
):
    assert loaded_by(args, env, tmp_path, heavy=CORE_ONLY) == ["sqlalchemy"]


def test_the_health_check_loads_no_migrations_broker_or_platform_library(env: dict[str, str], tmp_path: Path):
    # The workers' heartbeats are read without Celery or kombu (campaigns.heartbeat).
    assert loaded_by(["health", "--timeout", "0.2"], env, tmp_path, heavy=CORE_ONLY) == ["sqlalchemy"]


def test_the_health_check_on_redis_loads_no_celery_or_kombu(env: dict[str, str], tmp_path: Path):
    env = env | {"REDIS_URL": "redis://127.0.0.1:6379/0", "BROKER_PREFIX": "campaigns-test-imports"}
    loaded = loaded_by(["health", "--timeout", "0.5"], env, tmp_path, heavy=(*CORE_ONLY, "redis"))
    assert loaded == ["redis", "sqlalchemy"]


def test_the_help_imports_no_command(env: dict[str, str], tmp_path: Path):
    commands = tuple(sorted({target.split(":")[0] for target, _ in COMMANDS.values()}))
    assert loaded_by(["--help"], env, tmp_path, heavy=(*HEAVY, "pydantic", "rich", *commands)) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_lists_each_command_with_the_first_sentence_of_its_own_help(name: str):
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert COMMANDS[name][1] == command.get_short_help_str(limit=10_000)


@pytest.mark.parametrize(
    "args", [["status"], ["diff"], ["health", "--timeout", "0.2"]], ids=["status", "diff", "health"]
)
def test_the_commands_reading_a_sqlite_file_load_no_postgresql_dialect(
    args: list[str], env: dict[str, str], tmp_path: Path
):
    assert loaded_by(args, env, tmp_path, heavy=("sqlalchemy.dialects.postgresql",)) == []
