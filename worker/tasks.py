"""The publish task: a post id in, one ``campaigns.publishing`` call, a one-line summary out."""

from __future__ import annotations

from campaigns import publishing
from worker import runtime
from worker.app import app


@app.task(name="worker.tasks.publish_post")  # type: ignore[untyped-decorator]  # celery is untyped
def publish_post(post_id: str) -> str:
    """Publish post ``post_id`` if it is still claimed; safe to receive twice (see publishing.publish)."""
    return str(publishing.publish_post(runtime.context(), post_id))
