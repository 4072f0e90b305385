"""The Celery settings keep the promises the design relies on (see worker/app.py)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import scheduler.tasks
from campaigns.health import BEAT_SILENT_AFTER
from campaigns.publishing.dispatch import LOOKAHEAD, MAX_COUNTDOWN
from campaigns.publishing.policy import sending_lease
from campaigns.publishing.sweep import CLAIM_TIMEOUT
from campaigns.settings import get_settings, load_settings
from scheduler.beat import LEASE_TTL, RENEW_EVERY, STANDBY_POLL
from scheduler.tasks import SENDING_TIMEOUT
from tests.support.db_fixtures import NOW
from worker.app import TASK_TIME_LIMIT, VISIBILITY_TIMEOUT, celery_config, make_app
from worker.beat_schedule import BEAT_SCHEDULE, DISPATCH_EVERY


def test_it_never_lets_redis_redeliver_a_task_that_may_still_be_running():
    config = celery_config(load_settings(redis_url="redis://127.0.0.1:6379/0", broker_prefix="campaigns-a"))

    visibility = config["broker_transport_options"]["visibility_timeout"]
    assert visibility == VISIBILITY_TIMEOUT > TASK_TIME_LIMIT + LOOKAHEAD.total_seconds()
    assert config["task_time_limit"] == TASK_TIME_LIMIT
    assert config["broker_transport_options"]["global_keyprefix"] == "campaigns-a:"
    assert (
        config["task_acks_late"],
        config["task_reject_on_worker_lost"],
        config["worker_prefetch_multiplier"],
    ) == (
        True,
        False,
        1,
    )


def test_it_treats_a_sending_post_as_orphaned_only_after_its_task_must_have_ended():
    assert SENDING_TIMEOUT.total_seconds() > TASK_TIME_LIMIT


def test_the_sending_lease_outlasts_the_worst_send_of_any_pool():
    # solo and threads pools have no hard time limit: the HTTP timeout is what bounds a send.
    assert sending_lease(get_settings().http_timeout) <= SENDING_TIMEOUT


def test_it_releases_a_lost_claim_only_after_its_eta_has_long_passed():
    assert CLAIM_TIMEOUT > 10 * LOOKAHEAD


def test_it_runs_the_embedded_broker_in_the_data_folder(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path / "var")

    app = make_app(settings)

    options = app.conf.broker_transport_options
    assert app.conf.broker_url.startswith("atomicfs://")
    assert Path(options["data_folder_in"]) == (tmp_path / "var" / "broker" / "queue").resolve()
    assert all(Path(options[k]).is_dir() for k in ("data_folder_in", "processed_folder", "control_folder"))


def test_it_drops_a_stale_tick_rather_than_piling_ticks_up():
    for entry in BEAT_SCHEDULE.values():
        assert 0 < entry["options"]["expires"] < entry["schedule"]
    assert LOOKAHEAD.total_seconds() > DISPATCH_EVERY  # a post is claimed before its second comes


def test_it_has_a_standby_beat_take_over_within_a_minute_and_health_notice_first():
    takeover = LEASE_TTL.total_seconds() + STANDBY_POLL
    assert takeover < 60
    assert RENEW_EVERY * 3 < LEASE_TTL < BEAT_SILENT_AFTER


def test_weekly_reports_and_alerts_run_on_the_metrics_queue_that_workers_consume():
    from campaigns.service.supervisor import Options, worker_argv
    from worker.queues import ROUTES

    for entry in ("weekly-reports", "alerts"):
        assert ROUTES[BEAT_SCHEDULE[entry]["task"]] == "metrics"
    argv = worker_argv(Options())
    assert "metrics" in argv[argv.index("--queues") + 1].split(",")


def test_only_posts_on_time_wait_for_their_eta_in_a_worker(monkeypatch: pytest.MonkeyPatch):
    """A message with an ETA is taken by a worker at once, past its prefetch limit and its queue's
    priority: a burst's messages with ETAs lined up ahead of a regular post due seconds later."""
    sent: list[tuple[str, bool]] = []

    def apply_async(args: tuple[list[str]], *, queue: str, countdown: float | None = None) -> None:
        sent.append((queue, countdown is not None))

    monkeypatch.setattr(scheduler.tasks.publish_posts, "apply_async", apply_async)
    soon = datetime.now(UTC) + timedelta(seconds=3)

    scheduler.tasks._enqueue_publish(["regular"], soon, True)
    scheduler.tasks._enqueue_publish(["burst"], soon, False)
    scheduler.tasks._enqueue_publish(["due"], soon - timedelta(seconds=10), True)

    assert sent == [("publish", True), ("publish_late", False), ("publish", False)]


def test_a_post_on_time_waits_a_short_countdown_not_an_absolute_eta(monkeypatch: pytest.MonkeyPatch):
    """Celery compares an absolute ETA with the worker's own wall clock: one from the database's clock
    would run at once on a worker an hour ahead and wait an hour on one an hour behind. A countdown
    becomes an ETA on the sender's clock, and is capped: the guard waits out the rest."""
    sent: list[float] = []

    def apply_async(args: tuple[list[str]], *, queue: str, countdown: float) -> None:
        sent.append(countdown)

    monkeypatch.setattr(scheduler.tasks.publish_posts, "apply_async", apply_async)
    monkeypatch.setattr(scheduler.tasks, "utc_now", lambda: NOW)

    scheduler.tasks._enqueue_publish(["soon"], NOW + timedelta(seconds=2.5), True)
    scheduler.tasks._enqueue_publish(["far"], NOW + timedelta(hours=1), True)

    assert sent == [2.5, MAX_COUNTDOWN]


def test_a_worker_loads_the_platform_clients_before_its_pool_forks():
    """So that prefork pool processes share those pages instead of each importing its own copy
    (a pool process's private memory went from about 50 to 17 MB); the objects are frozen, so
    that the pool processes' cycle collector does not write to them either."""
    probe = (
        "import sys, gc\n"
        "import worker.runtime\n"
        "from celery import signals\n"
        "before = 'tweepy' in sys.modules or 'facebook' in sys.modules\n"
        "signals.worker_init.send(sender=None)\n"
        "print(before, 'tweepy' in sys.modules, 'facebook' in sys.modules, gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["False", "True", "True", "True"]
