"""Worker heartbeats: `campaigns health` knows which workers are alive without asking Celery.

A worker writes ``<BROKER_PREFIX>:alive:<hostname>`` on Redis (expiring) or a file in
``<DATA_DIR>/broker/alive`` (its mtime) every 2 s; a heartbeat older than 6 s is a dead worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine

from campaigns.health import Check, check_heartbeats
from campaigns.heartbeat import FRESH_FOR, HeartbeatWriter, alive_folder, alive_workers
from campaigns.settings import load_settings
from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import ThrowawayPostgres
from tests.support.service_processes import (
    CAMPAIGNS,
    REDIS_URL,
    World,
    clean_env,
    processes,
    refused_redis_url,
    service_world,
    wait_for,
)

ROOT = Path(__file__).resolve().parent.parent


def test_a_fresh_heartbeat_file_is_a_live_worker_and_a_stale_one_a_dead_one(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path)
    HeartbeatWriter(settings, "celery@fresh").beat()
    HeartbeatWriter(settings, "celery@stale").beat()
    stale = alive_folder(tmp_path) / "celery@stale"
    os.utime(stale, (time.time() - FRESH_FOR - 1,) * 2)

    assert alive_workers(settings, timeout=1) == ["celery@fresh"]


def test_no_heartbeat_folder_means_no_worker_ever_ran(tmp_path: Path):
    assert alive_workers(load_settings(data_dir=tmp_path), timeout=1) == []


def test_a_worker_that_stops_removes_its_heartbeat(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path)
    writer = HeartbeatWriter(settings, "celery@a")
    writer.beat()
    writer.clear()
    assert alive_workers(settings, timeout=1) == []


@pytest.mark.integration
def test_a_heartbeat_on_redis_is_a_key_that_expires(redis_prefix: str, tmp_path: Path):
    settings = load_settings(data_dir=tmp_path, redis_url=REDIS_URL, broker_prefix=redis_prefix)
    other = load_settings(data_dir=tmp_path, redis_url=REDIS_URL, broker_prefix=f"{redis_prefix}-other")
    writer = HeartbeatWriter(settings, "celery@a")
    writer.beat()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        key = f"{redis_prefix}:alive:celery@a"
        assert 0 < client.pttl(key) <= FRESH_FOR * 1000
        assert alive_workers(settings, timeout=1) == ["celery@a"]
        assert alive_workers(other, timeout=1) == []  # another deployment on the same Redis
        writer.clear()
        assert client.exists(key) == 0
        assert alive_workers(settings, timeout=1) == []
    finally:
        client.close()


def test_it_says_the_workers_cannot_be_asked_when_redis_is_down_and_answers_at_once(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path, redis_url=refused_redis_url())
    started = time.monotonic()
    check = check_heartbeats(lambda: alive_workers(settings, timeout=0.5))
    assert time.monotonic() - started < 0.5  # redis-py's default retries would take seconds
    assert not check.ok
    assert check.detail.startswith("cannot ask the workers: Error 111 connecting to 127.0.0.1:")


def test_it_lists_the_live_workers():
    assert check_heartbeats(lambda: ["celery@b", "celery@a"]) == Check(
        "workers", True, "2 alive: celery@a, celery@b"
    )
    assert check_heartbeats(list) == Check(
        "workers", False, "no worker alive (none wrote its heartbeat in the last 6 s)"
    )


def _workers_line(env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [CAMPAIGNS, "health"], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    return next(line for line in done.stdout.splitlines() if " workers " in line)


@pytest.mark.slow
def test_a_real_worker_on_the_embedded_broker_is_alive_while_it_runs(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'campaigns.db'}"
    engine: Engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = clean_env(DATABASE_URL=url, DATA_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "celery", "-A", "worker", "worker", "--concurrency", "1", "--hostname"]
    with processes(env, tmp_path / "logs") as group:
        worker = group.start("worker", [*argv, "embedded@%h", "--without-gossip", "--without-mingle"])
        line = wait_for(
            "the worker's heartbeat",
            lambda: (line := _workers_line(env, tmp_path)).startswith("ok") and line,
            timeout=60,
            output=group.output,
        )
        assert "1 alive: embedded@" in line
        worker.stop()  # a clean stop removes its heartbeat: gone at once
        assert _workers_line(env, tmp_path).startswith("FAIL  workers   no worker alive")


@pytest.fixture
def world(tmp_path: Path, throwaway_postgres: ThrowawayPostgres, sandbox: SandboxHandle) -> Iterator[World]:
    with service_world(tmp_path, throwaway_postgres, sandbox) as world:
        yield world


@pytest.mark.integration
@pytest.mark.slow
def test_a_real_worker_on_redis_is_alive_while_it_runs_and_gone_once_killed(world: World, tmp_path: Path):
    env = world.cluster.group.env
    worker = world.cluster.worker("beating")
    line = world.wait(
        "the worker's heartbeat",
        lambda: (line := _workers_line(env, tmp_path)).startswith("ok") and line,
    )
    assert "1 alive: beating@" in line
    prefix = env["BROKER_PREFIX"]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        [key] = client.keys(f"{prefix}:alive:*")
        assert key.decode().startswith(f"{prefix}:alive:beating@")
    finally:
        client.close()
    worker.kill_group()  # no clean stop: its key expires
    world.wait(
        "the killed worker's heartbeat to expire",
        lambda: _workers_line(env, tmp_path).startswith("FAIL"),
        timeout=FRESH_FOR + 10,
    )
