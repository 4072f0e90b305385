"""A worker killed with SIGKILL in the middle of a publish: real Celery processes on Redis and
PostgreSQL, the sandbox over HTTP. Exactly one post reaches the platform, and the database ends
``published`` with its remote id, whether the kill came while the platform held the request or
after the platform had accepted the post but before the database recorded it.

The function-level versions (an injected crash, a cut connection) are in
tests/test_publishing_recovery.py; here the process really dies and another one recovers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import ThrowawayPostgres
from tests.support.publishing_fixtures import post_row
from tests.support.service_celery import SETTLE_VAR, TIME_LIMIT_VAR
from tests.support.service_processes import World, service_world

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PID = "ssw-week:d1p1:twitter"
# The worker that takes over: its sweep may treat a `sending` row as orphaned 4 s after its last
# change (in production 120 + 30 s), sweeps every second, and takes "not on the platform" for
# "never arrived" after 2 s (30 s in production, for the real platforms' lagging timelines).
RECOVERY = {TIME_LIMIT_VAR: "3", SETTLE_VAR: "2", "CAMPAIGNS_TEST_SWEEP_EVERY": "1"}


@pytest.fixture
def world(tmp_path: Path, throwaway_postgres: ThrowawayPostgres, sandbox: SandboxHandle) -> Iterator[World]:
    with service_world(tmp_path, throwaway_postgres, sandbox) as world:
        yield world


def fired(sandbox: SandboxHandle) -> int:
    return sum(fault["fired"] for fault in sandbox.faults())


def test_it_publishes_once_when_a_worker_is_killed_while_the_platform_holds_the_request(world: World):
    world.sandbox.add_fault(kind="hang", platform="x", method="POST", path="/2/tweets", times=1)
    world.add_posts((PID, datetime.now(UTC) + timedelta(seconds=1)))
    world.cluster.beat(CAMPAIGNS_TEST_SWEEP_EVERY="1")
    doomed = world.cluster.worker("doomed", HTTP_TIMEOUT="120")  # it would wait far longer than the test

    world.wait("the sandbox to hold the request", lambda: fired(world.sandbox) == 1)
    assert post_row(world.engine, PID).status == "sending"
    doomed.kill_group()
    world.cluster.worker("survivor", **RECOVERY)
    post = world.wait_status(PID, "published", "failed")

    [truth] = world.sandbox.posts(platform="x")
    assert (post.status, post.remote_ids) == ("published", [truth["id"]]), world.cluster.output()
    assert truth["text"] == post.text


def test_it_publishes_once_when_a_worker_is_killed_after_the_platform_accepted_the_post(world: World):
    # A second of latency before the sandbox stores the post: time to lock the row once it is
    # `sending`, so that the worker's write of the remote id waits on the lock after the 201.
    world.sandbox.add_fault(
        kind="latency", seconds=1.0, platform="x", method="POST", path="/2/tweets", times=1
    )
    world.add_posts((PID, datetime.now(UTC) + timedelta(seconds=1)))
    world.cluster.beat(CAMPAIGNS_TEST_SWEEP_EVERY="1")
    doomed = world.cluster.worker("doomed")

    world.wait("the post to be sending", lambda: post_row(world.engine, PID).status == "sending")
    with world.engine.connect() as lock:
        locked = lock.execute(text("SELECT remote_ids FROM posts WHERE id = :id FOR UPDATE"), {"id": PID})
        assert locked.scalar_one() == [], "the remote id was recorded before the lock: no window to test"
        [accepted] = world.wait("the sandbox to accept the post", lambda: world.sandbox.posts(platform="x"))
        world.wait("the worker to wait on the row", lambda: waiting_on_locks(world.engine) > 0)
        doomed.kill_group()  # the platform has the post; the database does not know it
        lock.rollback()
    world.cluster.worker("survivor", **RECOVERY)
    post = world.wait_status(PID, "published", "failed")

    assert (post.status, post.remote_ids) == ("published", [accepted["id"]]), world.cluster.output()
    assert [p["id"] for p in world.sandbox.posts()] == [accepted["id"]]


def waiting_on_locks(engine: Engine) -> int:
    """Sessions of the test's database blocked on a lock (the worker's UPDATE of the post)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect() as connection:  # a new one each time: a transaction sees one stats snapshot
        return int(connection.execute(query).scalar_one())
