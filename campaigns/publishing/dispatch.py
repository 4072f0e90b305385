"""The dispatcher's tick: claim what is due (a few seconds ahead) and enqueue one publish per post id.

Claiming is one atomic statement (``claim_due_posts``), so two dispatchers never hand out the same
post. Posts are claimed up to ``LOOKAHEAD`` early and enqueued with an ETA of their time: with a
1 s tick, a post is already in a worker's hands when its second comes, and the worker only waits
out the rest (ETAs of a few seconds are far below the broker's visibility timeout). If the broker
refuses a message, that claim is released at once; if a message is lost later (a worker killed
before starting it), the sweep releases the claim after ``CLAIM_TIMEOUT``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campaigns.publishing.context import Context
from campaigns.publishing.outcome import log
from campaigns.store.db import session_scope
from campaigns.store.dispatch import claim_due_posts
from campaigns.store.pipeline import post_times, release_claims

LOOKAHEAD = timedelta(seconds=3)  # > the tick (1 s) + the broker's delivery time
BATCH = 500  # posts claimed per tick at most; the rest wait one tick

Enqueue = Callable[[str, datetime], None]  # (post id, when to run it)


@dataclass(frozen=True, slots=True)
class DispatchResult:
    enqueued: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)  # the broker refused them

    def __str__(self) -> str:
        text = f"{len(self.enqueued)} enqueued"
        return text + (f", {len(self.released)} released (broker error)" if self.released else "")


def dispatch_due(
    ctx: Context, enqueue: Enqueue, *, lookahead: timedelta = LOOKAHEAD, limit: int = BATCH
) -> DispatchResult:
    """Claim the posts due by ``now + lookahead`` and ``enqueue`` each (ETA: its time, or now)."""
    now = ctx.clock()
    with session_scope(ctx.engine) as session:  # committed before any message goes out
        ids = claim_due_posts(session=session, now=now, worker=ctx.worker, limit=limit, lookahead=lookahead)
        times = post_times(session=session, ids=ids)
    enqueued, refused = [], []
    for post_id in ids:
        try:
            enqueue(post_id, max(times[post_id], now))
        except Exception as e:  # whatever the broker's client raises, the claim must go back
            log.error("cannot enqueue %s: %s", post_id, " ".join(str(e).split()) or type(e).__name__)
            refused.append(post_id)
        else:
            enqueued.append(post_id)
    if refused:
        with session_scope(ctx.engine) as session:
            release_claims(session=session, ids=refused, now=ctx.clock())
    return DispatchResult(enqueued, refused)
