"""Running the service's real processes in tests: ``campaigns run``, Celery workers and beats.

Every process gets a clean environment (no platform credentials, no Redis or database from the
caller) plus what the test gives it; its output goes to a file that failure messages quote.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade
from campaigns.store.models import Campaign, Post
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import ThrowawayPostgres, add_campaign, add_post

BIN = Path(sys.executable).parent
CAMPAIGNS = str(BIN / "campaigns")
REPO = Path(__file__).resolve().parents[2]
SCRUBBED = ("TWITTER_", "FACEBOOK_", "REDIS_", "DATABASE_", "BROKER_", "SANDBOX_", "SPECS_", "DATA_DIR")
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def refused_redis_url() -> str:
    """A Redis URL on a port nothing listens on (a Redis that is down)."""
    return f"redis://127.0.0.1:{free_port()}/0"


def clean_env(**values: str) -> dict[str, str]:
    """The caller's environment without anything that configures the service, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    env["PYTHONUNBUFFERED"] = "1"  # output reaches the log files as it happens
    return env | values


def wait_for(what: str, check: Callable[[], T | None], *, timeout: float, output: Callable[[], str]) -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` and the processes' output.

    The timeout only bounds a hung test: nothing here asserts how fast anything is.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:g} s\n{output()}")
        time.sleep(0.1)


def _process_tree() -> dict[int, list[int]]:
    """parent pid -> child pids, from Linux's /proc."""
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            tree.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return tree


def children_of(pid: int) -> list[int]:
    return sorted(_process_tree().get(pid, []))


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``."""
    tree = _process_tree()
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


class Process:
    """One subprocess with its output in ``log``."""

    def __init__(
        self, argv: Sequence[str], env: dict[str, str], log: Path, *, cwd: Path | None = None
    ) -> None:
        self.log = log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                list(argv),
                env=env,
                cwd=cwd or REPO,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a SIGKILL can take its pool along
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill_group(self, signum: int = signal.SIGKILL) -> None:
        """Signal the process and everything in its group (a Celery worker's pool included)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)
        if signum == signal.SIGKILL:
            self.popen.wait()

    def stop(self, timeout: float = 20.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_group()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # nothing of it may outlive the test
        return self.popen.returncode


class Processes:
    """The processes a test started; ``stop_all`` ends them whatever happened."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.started: list[Process] = []

    def start(self, name: str, argv: Sequence[str], **env: str) -> Process:
        process = Process(argv, self.env | env, self.logs / f"{name}.log")
        self.started.append(process)
        return process

    def output(self) -> str:
        return "\n".join(f"--- {p.log.name}\n{p.output()[-6000:]}" for p in self.started)

    def stop_all(self) -> None:
        """Kill whatever still runs: the test has its answer, and a graceful stop costs seconds."""
        for process in reversed(self.started):
            if process.popen.poll() is None:
                process.kill_group()
            process.stop()


@contextlib.contextmanager
def processes(env: dict[str, str], logs: Path) -> Iterator[Processes]:
    logs.mkdir(parents=True, exist_ok=True)
    group = Processes(env, logs)
    try:
        yield group
    finally:
        group.stop_all()


# --- Celery processes on Redis + PostgreSQL --------------------------------------------------------
# Started through tests/support/service_celery.py, which lets a test shorten the service's timeouts.
CELERY = (sys.executable, "-m", "tests.support.service_celery")


class Cluster:
    """Workers and beats of one test, all on its database, Redis prefix, sandbox and data folder."""

    def __init__(self, group: Processes) -> None:
        self.group = group

    def worker(
        self, name: str = "worker", *, concurrency: int = 1, queues: str | None = None, **env: str
    ) -> Process:
        """A worker; ``queues`` (``-Q``, comma-separated) default: every queue (worker.queues)."""
        argv = [
            *CELERY,
            "worker",
            *(("--queues", queues) if queues else ()),
            "--hostname",
            f"{name}@%h",
            *(
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ),
        ]
        return self.group.start(name, argv, **env)

    def beat(self, name: str = "beat", **env: str) -> Process:
        schedule = self.group.logs / f"{name}-schedule"  # celery beat insists on a file; not in the repo
        argv = [*CELERY, "beat", "--loglevel", "INFO", "-s", str(schedule)]
        return self.group.start(name, argv, **env)

    def output(self) -> str:
        return self.group.output()


REDIS_URL = os.environ.get("CAMPAIGNS_TEST_REDIS", "redis://127.0.0.1:6379/0")


@dataclass
class World:
    """One process-level test's service: a fresh PostgreSQL database, its own Redis key prefix, a
    temporary data and specs folder, the (reset) sandbox, and the Celery processes it starts."""

    engine: Engine
    sandbox: SandboxHandle
    cluster: Cluster
    specs: Path

    def wait(self, what: str, check: Callable[[], T | None], *, timeout: float = 60) -> T:
        return wait_for(what, check, timeout=timeout, output=self.cluster.output)

    def wait_status(self, post_id: str, *statuses: str, timeout: float = 60) -> Post:
        def settled() -> Post | None:
            with Session(self.engine) as session:
                post = session.get(Post, post_id)  # None until the specs are applied
            return post if post is not None and post.status in statuses else None

        return self.wait(f"{post_id} to be {' or '.join(statuses)}", settled, timeout=timeout)

    def add_posts(self, *posts: tuple[str, datetime], **values: Any) -> None:
        """A campaign (once) and posts ``(id, at)``; the id's last part is the channel."""
        with Session(self.engine) as session:
            if session.get(Campaign, "ssw-week") is None:
                add_campaign(session)
            for post_id, at in posts:
                text = f"{post_id} {secrets.token_hex(3)} #SSWWeek"  # unique: no duplicate refusals
                add_post(session, post_id, at=at, channel=post_id.rsplit(":", 1)[1], text=text, **values)


def _redis_prefix() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as e:
        pytest.fail(f"integration tests need Redis at {REDIS_URL}: {e}", pytrace=False)
    prefix = f"campaigns-test-{secrets.token_hex(4)}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of the test's own on the shared Redis; its keys are deleted afterwards."""
    yield from _redis_prefix()


@contextlib.contextmanager
def service_world(tmp_path: Path, postgres: ThrowawayPostgres, sandbox: SandboxHandle) -> Iterator[World]:
    url = postgres.create()
    engine = make_engine(url)
    upgrade(engine)
    specs = tmp_path / "specs"
    specs.mkdir()
    try:
        for prefix in _redis_prefix():
            env = clean_env(
                DATABASE_URL=url,
                REDIS_URL=REDIS_URL,
                BROKER_PREFIX=prefix,
                DATA_DIR=str(tmp_path / "var"),
                SPECS_DIR=str(specs),
                SANDBOX_URL=sandbox.url,
            )
            with processes(env, tmp_path / "logs") as group:
                yield World(engine, sandbox, Cluster(group), specs)
    finally:
        engine.dispose()
