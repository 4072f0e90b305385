"""The beat's tasks: dispatch due posts, sweep, reconcile, sync specs. Each is one call into the domain.

Their queues (worker.queues): everything on ``ticks`` but ``reconcile``, which talks to the platforms."""

from __future__ import annotations

from datetime import datetime, timedelta

from campaigns import publishing
from campaigns.clock import utc_now
from campaigns.publishing.dispatch import countdown
from campaigns.publishing.policy import sending_lease
from campaigns.settings import get_settings
from scheduler.specs import SpecWatcher
from worker import runtime
from worker.app import TASK_TIME_LIMIT, app
from worker.queues import PUBLISH, PUBLISH_LATE
from worker.tasks import publish_posts

# A `sending` row not updated for this long has no worker behind it any more: longer than a prefork
# task may live (its hard time limit) AND than the worst a live worker of any pool (solo, threads:
# no time limit) takes between two updates of the row, which the HTTP timeout bounds.
SENDING_TIMEOUT = max(timedelta(seconds=TASK_TIME_LIMIT + 30), sending_lease(get_settings().http_timeout))
_specs = SpecWatcher()


@app.task(name="scheduler.tasks.dispatch_due")  # type: ignore[untyped-decorator]  # celery is untyped
def dispatch_due() -> str:
    """Claim the posts due within the look-ahead and enqueue them (publish_posts, one message per
    account and moment, ETA their time)."""
    return str(publishing.dispatch_due(runtime.context(), _enqueue_publish))


def _enqueue_publish(post_ids: list[str], eta: datetime, on_time: bool) -> None:
    # Only posts on time carry an ETA. A worker takes a message with an ETA at once, whatever its
    # prefetch limit and its queue's priority, and hands it to its pool when the time comes: a
    # burst's messages with ETAs all lined up in the pool ahead of a regular post due seconds later
    # (20-40 s late). Without one, a message waits in the broker, in its queue's order, and the guard
    # waits out the rest of the look-ahead. Posts already due go without an ETA too. Late ones (the
    # bulk of a burst) wait in their own queue, taken only when no post on time waits (worker.queues).
    # The wait goes as a short countdown, not as the absolute ETA: see publishing.dispatch.MAX_COUNTDOWN.
    queue = PUBLISH if on_time else PUBLISH_LATE
    delay = countdown(eta, utc_now())
    if on_time and delay > 0:
        publish_posts.apply_async((post_ids,), countdown=delay, queue=queue)
    else:
        publish_posts.apply_async((post_ids,), queue=queue)


@app.task(name="scheduler.tasks.sweep")  # type: ignore[untyped-decorator]
def sweep() -> str:
    """Release lost claims, expire orphaned `sending` rows, mark missed posts (the database only)."""
    return str(publishing.recover(runtime.context(), sending_timeout=SENDING_TIMEOUT))


@app.task(name="scheduler.tasks.reconcile")  # type: ignore[untyped-decorator]
def reconcile() -> str:
    """Ask the platforms about unconfirmed posts and re-check flagged accounts."""
    return str(publishing.settle(runtime.context()))


@app.task(name="scheduler.tasks.sync_specs")  # type: ignore[untyped-decorator]
def sync_specs() -> str:
    """Apply changed spec files to the schedule (nothing when no file changed or one is invalid)."""
    return _specs.sync(engine=runtime.context().engine, specs_dir=get_settings().specs_dir, now=utc_now())
