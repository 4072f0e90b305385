"""The Celery app (``celery -A worker worker`` / ``celery -A worker beat``) and all of its settings.

Broker: Redis when ``REDIS_URL`` is set, else kombu's filesystem transport in ``<DATA_DIR>/broker``
(no server to run; ``atomicfs://``, see ``worker.broker`` for the fix it carries). No result backend: tasks report through the database
and the logs.

The embedded broker on a crash: the filesystem transport deletes a message file when a worker
takes it, before the task runs; messages a worker holds (prefetched, or waiting for their ETA)
go back only on a clean shutdown. A SIGKILL or power loss loses them: delivery is at most once.
That is fine because no message is the truth. The database is: a lost publish leaves its post
``claimed``, and the sweep puts it back in the schedule after ``CLAIM_TIMEOUT`` (60 s), to be
dispatched again. A lost dispatch or sweep tick is replaced by the next one a second later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from celery import Celery, signals

from campaigns.settings import Settings, get_settings
from worker import broker
from worker.beat_schedule import BEAT_SCHEDULE, metrics_entries
from worker.heartbeat import Heartbeat
from worker.queues import QUEUE_ORDER, queue_config

# The hard limit of one task (prefork pool only: solo and threads pools enforce none). A publish
# makes a few HTTP calls of at most HTTP_TIMEOUT (10 s) each, and a message of several posts
# starts none after its 30 s budget (publishing.batch), so 120 s means something is stuck. The
# sweep treats a `sending` row older than this (plus a margin) as orphaned, and never sooner than
# the worst send the HTTP timeout allows (any pool): see scheduler.tasks.SENDING_TIMEOUT.
TASK_TIME_LIMIT = 120
# Redis redelivers a message not acked within this. It must exceed the longest a task can hold
# a message (its ETA wait, a few seconds, plus TASK_TIME_LIMIT), or a running task is run twice.
VISIBILITY_TIMEOUT = 3600
# How often the filesystem transport looks for new messages: part of every post's lateness.
FILESYSTEM_POLL_SECONDS = 0.05


def celery_config(settings: Settings) -> dict[str, Any]:
    """Every Celery setting of the service, in one place."""
    return {
        **broker_config(settings),
        **queue_config(),  # ticks, publish, reconcile, metrics: see worker.queues
        "broker_connection_retry_on_startup": True,
        # No results: the database records what happened to each post.
        "task_ignore_result": True,
        "result_backend": None,
        # Ack after the task, not before: a worker killed before it could start a publish leaves
        # the message to be redelivered (Redis) instead of dropping it. Safe because every task is
        # idempotent through the database: publish_post starts with a guard that returns unless
        # the post is still `claimed`, and claimed -> sending is a conditional UPDATE.
        "task_acks_late": True,
        # ...but a task whose worker process died mid-run (time limit, OOM, SIGKILL) is NOT
        # requeued: re-running a publish blindly is what must never happen. The sweep turns its
        # `sending` row into `unconfirmed` and asks the platform.
        "task_reject_on_worker_lost": False,
        # A lost broker connection does not kill publishes in flight (Celery 6 will default to
        # killing them): a killed create is an unknown outcome to reconcile, while a finished one
        # is simply recorded; the redelivered message then meets the guard.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        # One message per worker process at a time: a long publish does not sit on messages other
        # processes could run now, and fewer messages are lost if a process dies.
        "worker_prefetch_multiplier": 1,
        "task_time_limit": TASK_TIME_LIMIT,  # far below VISIBILITY_TIMEOUT: a live task is never redelivered
        "task_serializer": "json",  # task arguments are post ids: nothing else ever crosses the broker
        "accept_content": ["json"],
        "enable_utc": True,
        "timezone": "UTC",
        # Exactly one active beat, chosen by a lease in the database (see scheduler.beat).
        "beat_scheduler": "scheduler.beat:LeasedScheduler",
        "beat_schedule": {
            **BEAT_SCHEDULE,
            **metrics_entries(float(min(settings.metrics_young_interval, settings.metrics_interval))),
        },
        "beat_max_loop_interval": 1.0,  # the beat wakes at least every second (lease renewal)
    }


def broker_config(settings: Settings) -> dict[str, Any]:
    if settings.redis_url:
        options: dict[str, Any] = {
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "queue_order_strategy": QUEUE_ORDER,  # on-time posts before late ones: worker.queues
        }
        if settings.broker_prefix:
            options["global_keyprefix"] = f"{settings.broker_prefix}:"
        return {"broker_url": settings.redis_url, "broker_transport_options": options}
    folder = (settings.data_dir / "broker").resolve()
    return {
        "broker_url": f"{broker.SCHEME}://localhost/",  # a host only to keep kombu from warning about none
        "broker_transport_options": {
            "data_folder_in": str(
                folder / "queue"
            ),  # the same folder in and out: one app; a message's file name says its queue
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "taken"),  # a message being read; deleted right after
            "control_folder": str(folder / "control"),  # remote control (`inspect ping`, the health check)
            "polling_interval": FILESYSTEM_POLL_SECONDS,
        },
    }


def make_app(settings: Settings | None = None) -> Celery:
    """The app for ``settings`` (default: the process's). Creates the embedded broker's folders."""
    settings = settings or get_settings()
    app = Celery("campaigns", include=["worker.tasks", "worker.report_tasks", "scheduler.tasks"])
    config = celery_config(settings)
    options = config["broker_transport_options"]
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    app.conf.update(config)
    app.steps["consumer"].add(Heartbeat)  # `campaigns health` reads it: campaigns.heartbeat
    return app


def make_probe_app(settings: Settings, timeout: float) -> Celery:
    """An app that only asks the workers (``campaigns health``), never waiting much over ``timeout``.

    The workers' app retries a Redis that refuses connections for about 12 s before giving up;
    a probe must answer "down" at once instead, and wait at most ``timeout`` for a connection.
    """
    app = make_app(settings)
    if settings.redis_url:
        options = dict(app.conf.broker_transport_options)
        options |= {"max_retries": 0, "socket_connect_timeout": timeout}
        app.conf.broker_transport_options = options
    return app


@signals.after_setup_logger.connect  # type: ignore[untyped-decorator]  # celery is untyped
def _show_what_is_published(loglevel: int | str = logging.WARNING, **_: Any) -> None:
    """The worker logs at WARNING by default; the one line per published post is INFO."""
    level = logging.getLevelName(loglevel) if isinstance(loglevel, str) else loglevel
    logging.getLogger("campaigns").setLevel(min(level, logging.INFO))


app = make_app()
