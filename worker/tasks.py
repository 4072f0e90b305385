"""The publish tasks: post ids in, one ``campaigns.publishing`` call, a one-line summary out."""

from __future__ import annotations

from campaigns import publishing
from worker import runtime
from worker.app import app


@app.task(name="worker.tasks.publish_posts")  # type: ignore[untyped-decorator]  # celery is untyped
def publish_posts(post_ids: list[str]) -> str:
    """Publish one account's posts due together, in order (what the dispatcher sends); each post
    is guarded on its own, so receiving the message twice is safe (see publishing.publish_batch)."""
    return "; ".join(str(result) for result in publishing.publish_batch(runtime.context(), post_ids))


@app.task(name="worker.tasks.publish_post")  # type: ignore[untyped-decorator]
def publish_post(post_id: str) -> str:
    """Publish post ``post_id`` if it is still claimed; safe to receive twice (see publishing.publish).

    Kept for messages an earlier version enqueued; the dispatcher sends ``publish_posts``.
    """
    return str(publishing.publish_post(runtime.context(), post_id))
