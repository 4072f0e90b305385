"""The publish tasks: post ids in, one ``campaigns.publishing`` call, a one-line summary out.
And the metrics collector (queue "metrics", so that it never sits in front of a publish)."""

from __future__ import annotations

from campaigns import publishing
from campaigns.clock import utc_now
from campaigns.metrics.collect import collect_metrics as collect_cycle
from campaigns.metrics.hashtags import campaign_hashtags
from campaigns.metrics.options import options_from
from campaigns.settings import get_settings
from worker import runtime
from worker.app import app


@app.task(name="worker.tasks.publish_posts")  # type: ignore[untyped-decorator]  # celery is untyped
def publish_posts(post_ids: list[str]) -> str:
    """Publish one account's posts due together, in order (what the dispatcher sends). They are
    guarded, claimed and recorded together, each under its own conditional claim, so receiving the
    message twice is safe (see publishing.batch)."""
    return "; ".join(str(result) for result in publishing.publish_batch(runtime.context(), post_ids))


@app.task(name="worker.tasks.publish_post")  # type: ignore[untyped-decorator]
def publish_post(post_id: str) -> str:
    """Publish post ``post_id`` if it is still claimed; safe to receive twice (see publishing.publish).

    Kept for messages an earlier version enqueued; the dispatcher sends ``publish_posts``.
    """
    return str(publishing.publish_post(runtime.context(), post_id))


@app.task(name="worker.tasks.collect_metrics")  # type: ignore[untyped-decorator]
def collect_metrics(campaign: str | None = None) -> str:
    """One collection cycle (every campaign, or one): what is due is read, the rest waits; safe
    to run twice (samples are unique by observation, hour buckets replaced, reads counted once)."""
    settings = get_settings()
    hashtags = campaign_hashtags(settings.specs_dir, today=utc_now().date())
    summary = collect_cycle(
        runtime.context(), hashtags=hashtags, options=options_from(settings), campaign=campaign
    )
    return str(summary)
