"""Publishing the posts of one dispatcher message: one account's posts due at the same moment.

Each post goes through ``publish_post`` on its own, guard and all, so a message received twice or
a post changed meanwhile is handled exactly as for a single post. The posts go one after the other:
a rate limit met by the first holds the account, and the guard sends the rest back to the schedule
instead of meeting the same 429 again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from campaigns.publishing.context import Context
from campaigns.publishing.outcome import PublishResult
from campaigns.publishing.publish import publish_post
from campaigns.store.db import session_scope
from campaigns.store.pipeline import release_claims

# No post of a message starts later than this after its first: a message of slow posts (a platform
# answering at its timeout) gives its remaining posts back to the schedule, for the next tick to
# spread over other workers, and the task stays far inside its time limit (worker.app).
BUDGET = timedelta(seconds=30)


def publish_batch(
    ctx: Context, post_ids: Sequence[str], *, budget: timedelta = BUDGET
) -> list[PublishResult]:
    """Publish ``post_ids`` in order; those not started within ``budget`` go back to the schedule.

    Raises what ``publish_post`` raises (the database failing): the posts not yet started stay
    claimed, and the sweep gives them back after its claim timeout.
    """
    started = ctx.clock()
    results: list[PublishResult] = []
    for n, post_id in enumerate(post_ids):
        if ctx.clock() - started > budget:
            return results + _give_back(ctx, post_ids[n:])
        results.append(publish_post(ctx, post_id))
    return results


def _give_back(ctx: Context, post_ids: Sequence[str]) -> list[PublishResult]:
    with session_scope(ctx.engine) as session:
        released = set(release_claims(session=session, ids=post_ids, now=ctx.clock()))
    return [
        PublishResult(post_id, "released", "its message ran out of time")
        if post_id in released
        # Not claimed any more: the sweep or another worker moved it; nothing of ours to undo.
        else PublishResult(post_id, "skipped", "no longer claimed")
        for post_id in post_ids
    ]
