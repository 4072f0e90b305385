"""Publishing the posts of one dispatcher message: one account's posts due at the same moment.

The posts go through the steps of ``publish.publish_post`` together rather than one by one, which
is what makes a burst cheap (a few statements a message instead of five a post):

1. One transaction: the guard for every post (one query), then ``claimed -> sending`` for those due,
   each conditional on the claim its guard saw, all under one new claim token, with their attempt
   rows (one UPDATE ... RETURNING, one INSERT). Committed before the platform is called, as for
   one post: a crash from here on leaves ``sending`` rows, which the sweep turns into
   ``unconfirmed`` and reconciles by asking the platform (found: recorded; not found: sent again
   once), never a blind second create. A post claimed ahead of its second takes the one-post path
   (it waits, then is guarded again).
2. The posts are sent one after the other, in order (one account: the platforms expect its posts in
   order, and a rate limit met by one holds the rest instead of meeting the same 429 again).
3. What went out is recorded in one transaction (one UPDATE for the posts, one for their attempts),
   each post only if it is still ``sending`` under the message's token: a post another worker took
   over meanwhile records nothing. Recorded at the end, and also whenever ``RECHECK`` has passed
   since the last look at the database: then the rest are checked again (campaign paused, account
   held meanwhile), so that a slow message neither sends long after a pause nor leaves many sent
   posts unrecorded (each of those would cost a reconciliation after a crash).

An error answer is recorded at once, as for one post. A post moved to ``sending`` but never sent
(the message ran out of time, a pause, its account held by a rate limit another post met) goes
back to the schedule uncounted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from campaigns.publishing.context import Context
from campaigns.publishing.guard import Ready, guard_many, held_now
from campaigns.publishing.outcome import PublishResult, Sending
from campaigns.publishing.publish import Sent, finish, publish_post, send, start
from campaigns.store.db import session_scope
from campaigns.store.sending import give_back_unsent

# No post of a message starts later than this after its first: a message of slow posts (a platform
# answering at its timeout) gives its remaining posts back to the schedule, for the next tick to
# spread over other workers, and the task stays far inside its time limit (worker.app). Together
# with the worst send, far inside the `sending` lease too (policy.sending_lease), although the
# message's posts are all `sending` from its start.
BUDGET = timedelta(seconds=30)
# How long a message sends without looking at the database: then what went out is recorded and the
# rest are checked again. A pause or a hold reaches a message in flight within this (plus a send).
RECHECK = timedelta(seconds=1)
# Outcomes after which the account is held: the message's other posts go back to the schedule.
HOLDS_ACCOUNT = frozenset({"rate_limited", "held"})


def publish_batch(
    ctx: Context, post_ids: Sequence[str], *, budget: timedelta = BUDGET
) -> list[PublishResult]:
    """Publish ``post_ids`` in order; see the module docstring. One result per post, in order.

    Raises what the database raises: what went out before is recorded first if the database lets
    it; anything else stays ``sending`` for the sweep to reconcile.
    """
    began = ctx.clock()
    with session_scope(ctx.engine) as session:
        checked = guard_many(ctx, session, post_ids)
        due = [r for r in checked.values() if isinstance(r, Ready) and r.wait == 0]
        jobs = start(ctx, session, due)
    results = {p: r for p, r in checked.items() if isinstance(r, PublishResult)}
    results |= {r.post_id: PublishResult(r.post_id, "skipped", "another worker took it") for r in due}
    results |= _send_all(ctx, [jobs[p] for p in dict.fromkeys(post_ids) if p in jobs], began, budget)
    for post_id, ready in checked.items():
        if isinstance(ready, Ready) and ready.wait > 0:  # claimed ahead of its second
            results[post_id] = publish_post(ctx, post_id)
    return [results[post_id] for post_id in post_ids]


def _send_all(
    ctx: Context, jobs: list[Sending], began: datetime, budget: timedelta
) -> dict[str, PublishResult]:
    results: dict[str, PublishResult] = {}
    sent: list[Sent] = []
    looked = ctx.clock()
    try:
        for n, job in enumerate(jobs):
            now = ctx.clock()
            if now - began > budget:
                return results | finish(ctx, sent) | _give_back(ctx, jobs[n:], "its message ran out of time")
            if now - looked > RECHECK:
                results |= finish(ctx, sent)
                sent, looked = [], now
                held = _held(ctx, jobs[n:])
                if held:
                    return results | _give_back(ctx, jobs[n:], held)
            outcome = send(ctx, job)
            if isinstance(outcome, Sent):
                sent.append(outcome)
                continue
            results[job.post.id] = outcome
            if outcome.outcome in HOLDS_ACCOUNT:
                reason = f"{job.post.channel}/{job.post.account} is held: {outcome.detail}"
                return results | finish(ctx, sent) | _give_back(ctx, jobs[n + 1 :], reason)
    except Exception:
        finish(ctx, sent)  # what went out is recorded if the database lets it; then the error
        raise
    return results | finish(ctx, sent)


def _held(ctx: Context, jobs: Sequence[Sending]) -> str:
    """Why the rest of the message must not go out now ("" if nothing holds it)."""
    with session_scope(ctx.engine, read_only=True) as session:
        reasons = held_now(ctx, session, [job.post.id for job in jobs])
    return next(iter(reasons.values()), "")


def _give_back(ctx: Context, jobs: Sequence[Sending], reason: str) -> dict[str, PublishResult]:
    """Posts this message moved to ``sending`` and never sent: back to the schedule, uncounted."""
    if not jobs:
        return {}
    with session_scope(ctx.engine) as session:
        back = set(
            give_back_unsent(
                session=session,
                token=jobs[0].token,
                attempts={job.post.id: job.attempt_id for job in jobs},
                now=ctx.clock(),
            )
        )
    return {
        job.post.id: PublishResult(job.post.id, "released", reason)
        if job.post.id in back
        # Not ours any more: the sweep or another worker moved it; nothing of ours to undo.
        else PublishResult(job.post.id, "skipped", "no longer held by this message")
        for job in jobs
    }
