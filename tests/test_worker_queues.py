"""Ticks, publishing and reconciliation wait in separate queues: a burst of posts never delays a tick.

The routing is checked on the app's own router; then, on the real Redis with real workers (one
consuming ``ticks``, one the publishing queues, as docker-compose.yml runs them), a post due
during a burst is claimed by the beat's tick and published while thousands of late posts still
wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from campaigns.settings import load_settings
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import ThrowawayPostgres
from tests.support.service_processes import REDIS_URL, World, service_world
from worker.app import make_app
from worker.queues import QUEUES

BACKLOG = 8000  # late publish messages: many seconds of work for one process
PID = "ssw-week:d1p1:twitter"


def test_every_task_goes_to_its_own_queue():
    app = make_app(load_settings(redis_url=REDIS_URL))
    app.loader.import_default_modules()
    queue_of = {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in app.tasks
        if name.startswith(("worker.", "scheduler."))
    }
    assert queue_of == {
        "scheduler.tasks.dispatch_due": "ticks",
        "scheduler.tasks.sweep": "ticks",
        "scheduler.tasks.sync_specs": "ticks",
        "scheduler.tasks.reconcile": "reconcile",
        "worker.tasks.publish_posts": "publish",  # or publish_late: the dispatcher chooses
        "worker.tasks.publish_post": "publish",
        "worker.tasks.collect_metrics": "metrics",
        "worker.report_tasks.send_weekly_reports": "metrics",
        "worker.report_tasks.send_alerts": "metrics",
    }
    beat_tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert beat_tasks <= set(queue_of)
    assert {queue.name for queue in app.conf.task_queues} == set(QUEUES)


@pytest.fixture
def world(tmp_path: Path, throwaway_postgres: ThrowawayPostgres, sandbox: SandboxHandle) -> Iterator[World]:
    with service_world(tmp_path, throwaway_postgres, sandbox) as world:
        yield world


@pytest.mark.integration
@pytest.mark.slow
def test_a_tick_and_a_post_on_time_are_not_delayed_by_a_backlog_of_late_posts(world: World):
    prefix = world.cluster.group.env["BROKER_PREFIX"]
    app = make_app(load_settings(redis_url=REDIS_URL, broker_prefix=prefix))
    with app.producer_or_acquire() as producer:  # a burst, as the dispatcher enqueues it: all due
        for n in range(BACKLOG):
            app.send_task(
                "worker.tasks.publish_posts",
                ([f"gone:{n}:twitter"],),
                queue="publish_late",
                producer=producer,
            )
    client = redis.Redis.from_url(REDIS_URL)
    waiting = f"{prefix}:publish_late"
    assert client.llen(waiting) == BACKLOG
    workers = [
        world.cluster.worker("publisher", queues="publish,publish_late,reconcile"),
        world.cluster.worker("ticks", queues="ticks"),
    ]
    beat = world.cluster.beat()
    world.wait("the workers to be ready", lambda: all(" ready." in w.output() for w in workers))
    world.wait("the beat to be active", lambda: "this beat is active" in beat.output())
    world.add_posts((PID, datetime.now(UTC) + timedelta(seconds=4)))  # a post on time, due meanwhile

    world.wait_status(PID, "published")
    behind = client.llen(waiting)
    client.close()
    # The publisher was working through the backlog meanwhile: the tick did not wait for it, and
    # the post on time went before what was left of it.
    assert 0 < behind < BACKLOG, world.cluster.output()
    assert [p["text"].split()[0] for p in world.sandbox.posts()] == [PID]
