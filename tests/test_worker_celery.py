"""End to end with real Celery: a worker and the leased beat as subprocesses publish a due post to the sandbox.

Once on the embedded filesystem broker with SQLite (what `make run` uses), once on the real Redis
(unique key prefix) with PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade
from campaigns.store.models import Post
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.publishing_fixtures import clear_leases

REDIS_URL = os.environ.get("CAMPAIGNS_TEST_REDIS", "redis://127.0.0.1:6379/0")
CELERY = str(Path(sys.executable).with_name("celery"))
DEADLINE = 60.0  # seconds for the whole round trip, start-up included; normally about 5
TEXT = "Day 1: thank a social worker today #SSW"
PID = "ssw-week:d1p1:twitter"


class Service:
    """A worker and a beat, started with ``env``; their output goes to files for the failure message."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, *args: str) -> None:
        log = self.logs / f"{args[0]}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [CELERY, "-A", "worker", *args], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append((process, log))

    def output(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for _, log in self.processes
        )

    def stop(self) -> None:
        for process, _ in self.processes:
            process.send_signal(signal.SIGTERM)
        for process, _ in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def service_env(tmp_path: Path, sandbox: SandboxHandle) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWITTER_", "FACEBOOK_", "REDIS_", "DATABASE_"))
    }
    return env | {
        "DATA_DIR": str(tmp_path / "var"),
        "SANDBOX_URL": sandbox.url,
        "SPECS_DIR": str(tmp_path / "specs"),  # empty: the schedule sync has nothing to apply
        "DATABASE_URL": f"sqlite:///{tmp_path / 'campaigns.db'}",
    }


def run_one_post(engine: Engine, env: dict[str, str], logs: Path) -> tuple[Post, str]:
    """Schedule a post a few seconds ahead, run a worker and a beat, wait until it is published."""
    (Path(env["SPECS_DIR"])).mkdir(parents=True, exist_ok=True)
    with Session(engine) as session:
        add_campaign(session)
        add_post(session, PID, at=datetime.now(UTC) + timedelta(seconds=3), text=TEXT)
    service = Service(env, logs)
    worker = ["worker", "--concurrency", "1", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    service.start(*worker)
    service.start("beat", "--schedule", str(logs / "beat-schedule"))
    try:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            with Session(engine) as session:
                post = session.get(Post, PID)
                assert post is not None
                if post.status not in ("scheduled", "claimed", "sending"):
                    break
            time.sleep(0.2)
    finally:
        service.stop()
    return post, service.output()


@pytest.mark.slow
def test_it_publishes_a_due_post_through_a_worker_on_the_embedded_broker(
    service_env: dict[str, str], sandbox: SandboxHandle, tmp_path: Path
):
    engine = make_engine(service_env["DATABASE_URL"])
    upgrade(engine)
    try:
        post, output = run_one_post(engine, service_env, tmp_path)
    finally:
        engine.dispose()

    [truth] = sandbox.posts()
    assert (post.status, post.remote_ids) == ("published", [truth["id"]]), output
    assert truth["text"] == TEXT
    assert f"published {PID} as @SSWAlliance_demo" in output and "after its time" in output


@pytest.mark.integration
@pytest.mark.slow
def test_it_publishes_a_due_post_through_a_worker_on_redis(
    service_env: dict[str, str],
    redis_prefix: str,
    postgres_engine: Engine,
    postgres_url: str,
    sandbox: SandboxHandle,
    tmp_path: Path,
):
    env = service_env | {"REDIS_URL": REDIS_URL, "BROKER_PREFIX": redis_prefix, "DATABASE_URL": postgres_url}
    clear_leases(postgres_engine)
    try:
        post, output = run_one_post(postgres_engine, env, tmp_path)
    finally:
        clear_leases(postgres_engine)

    [truth] = sandbox.posts()
    assert (post.status, post.remote_ids) == ("published", [truth["id"]]), output
    assert f"published {PID} as @SSWAlliance_demo" in output
