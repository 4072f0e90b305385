"""The service's Celery queues and which task goes to which.

Work of different kinds waits in different queues, so that one kind's backlog never delays
another: a 10,000-post burst fills ``publish``, while the beat's ticks (the dispatcher, every
second) go through ``ticks`` and are taken at once by a worker that consumes ``ticks``.

- ``ticks``: the beat's quick database passes (dispatch due posts, recover lost work, sync specs);
- ``publish``: posts on time (the dispatcher claims them a few seconds ahead: their ETA is to come),
  and posts whose tick came late but that were due after the backlog began (up to 60 s late: a
  post due during a burst, on a loaded machine; ``campaigns.publishing.dispatch.RECENT``): at most
  ``dispatch.PRIORITY`` (50) a tick, less than the workers publish a second, so that it never holds
  more than a second of work;
- ``publish_late``: the other posts (the rest of a burst due at one second, posts already due when
  claimed, retries, catching up after an outage), sent with no ETA: a worker takes a message with
  an ETA at once, past its prefetch limit and the queues' order, which would line a burst up ahead
  of a post on time in its pool (the guard waits out the look-ahead instead). A worker takes ``publish`` first whenever both hold messages (Redis:
  ``queue_order_strategy = "sorted"``, and "publish" sorts before "publish_late"), so that a post
  due during a burst is not queued behind it;
- ``reconcile``: asking the platforms about unconfirmed posts and re-checking held accounts (slow
  when a platform is);
- ``metrics``: gathering engagement metrics, building and e-mailing the weekly reports, alerts.

A worker started without ``-Q`` consumes every queue here (``task_queues``), which is what
``campaigns run`` and a single ``celery -A worker worker`` do; a deployment that wants bursts
not to delay anything gives ``ticks`` its own worker (``-Q ticks``), as docker-compose.yml does.
A new kind of task: add its queue to QUEUES and its route to ROUTES.
"""

from __future__ import annotations

from typing import Any

from kombu.entity import Queue

TICKS = "ticks"
PUBLISH = "publish"
PUBLISH_LATE = "publish_late"  # sorts after PUBLISH: see the module's docstring
RECONCILE = "reconcile"
METRICS = "metrics"
QUEUES = (TICKS, PUBLISH, PUBLISH_LATE, RECONCILE, METRICS)
# Redis: a worker asks for its queues in sorted order (kombu's "sorted" cycle), so a queue whose
# name sorts first has priority. The publishing workers' queues, most urgent first:
PUBLISHING = (PUBLISH, PUBLISH_LATE, RECONCILE)
QUEUE_ORDER = "sorted"

ROUTES: dict[str, str] = {
    "scheduler.tasks.dispatch_due": TICKS,
    "scheduler.tasks.sweep": TICKS,
    "scheduler.tasks.sync_specs": TICKS,
    "scheduler.tasks.reconcile": RECONCILE,
    "worker.tasks.publish_posts": PUBLISH,  # or PUBLISH_LATE: the dispatcher says (scheduler.tasks)
    "worker.tasks.publish_post": PUBLISH,
    "worker.tasks.collect_metrics": METRICS,
    "worker.report_tasks.send_weekly_reports": METRICS,
    "worker.report_tasks.send_alerts": METRICS,
}


def queue_config() -> dict[str, Any]:
    """The Celery settings that declare the queues and route the tasks."""
    return {
        "task_queues": [Queue(name, routing_key=name) for name in QUEUES],  # type: ignore[no-untyped-call]  # kombu is untyped
        "task_default_queue": PUBLISH,  # a task without a route (none today) is treated as work
        "task_routes": {task: {"queue": queue, "routing_key": queue} for task, queue in ROUTES.items()},
    }
