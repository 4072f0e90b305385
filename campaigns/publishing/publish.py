"""Publishing one post: the only code path that creates posts on a platform.

The order is what makes it safe (each step commits before the next one talks to the platform):

1. Guard: the post must still be ``claimed`` (anything else: another worker or a redelivered
   message; return). Too late -> ``missed``. Paused campaign or held account -> back to scheduled.
2. Wait out the rest of the look-ahead (the dispatcher claims a few seconds early), then run the
   guard again: the campaign may have been paused, the account held or the post edited meanwhile.
   Never before its time on the service's clock (campaigns.clock): a post claimed further ahead
   than a short wait, or still early after a few, goes back to the schedule.
3. ``claimed -> sending`` and an attempt row, committed BEFORE the platform is called: a crash
   from here on leaves a ``sending`` row that the sweep turns into ``unconfirmed`` and reconciles,
   never a blind second create. The move is conditional on the claim the guard saw, and writes
   this worker's claim token (``claimed_by``); every later write names the token, so a worker
   whose lease ran out (its row was taken over) records nothing. A post already due (no wait) does
   this in the guard's transaction. (``start``, ``send`` and ``finish`` also serve a message of
   several posts: ``batch.publish_batch``.)
4. Each part still missing (a thread resumes after the last recorded one): create it, commit its
   remote id. The last part's id is committed with step 5, in the same conditional UPDATE.
5. ``sending -> published``, and one log line.

A single-part post thus costs two transactions, each one round trip per statement; a message of
several posts, two transactions for them all (``batch``).

Any platform error goes through ``policy.decide``; see ``failure.record_failure``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from campaigns.platforms import PlatformError
from campaigns.publishing.context import AccountNotConfigured, Context
from campaigns.publishing.failure import record_failure
from campaigns.publishing.guard import Ready, guard
from campaigns.publishing.outcome import (
    Part,
    PublishResult,
    Sending,
    log_published,
    media_files,
    taken_over,
)
from campaigns.publishing.policy import account_unusable, decide
from campaigns.store.attempts import record_part
from campaigns.store.db import session_scope
from campaigns.store.models import PostStatus
from campaigns.store.sending import Published, record_published, start_sending
from campaigns.store.states import RELEASED, transition

S = PostStatus
EARLY_ROUNDS = 3  # waits for a post claimed ahead of its time before it goes back to the schedule


def publish_post(ctx: Context, post_id: str) -> PublishResult:
    """Publish post ``post_id`` if it is claimed and due; never raises for a platform's answer.

    Returns what happened. Raises only for infrastructure failures (the database), leaving the row
    in a state the sweep recovers from.
    """
    # A post that is due (the usual case: its message arrives at its ETA) is guarded and moved to
    # `sending` in one transaction: the same conditional UPDATE decides, one commit fewer.
    with session_scope(ctx.engine) as session:
        ready = guard(ctx, session, post_id)
        if isinstance(ready, PublishResult):
            return ready
        started = _start_one(ctx, session, ready) if ready.wait == 0 else None
    for _ in range(EARLY_ROUNDS):
        if started is not None:
            break
        ctx.sleep(ready.wait)
        # While it waited, the campaign may have been paused, the account held (another post met a
        # rate limit) or the spec edited: guard again, then send what the row holds now. Never
        # before its time on the service's clock: if that is still ahead (the clock resynced with
        # the database meanwhile), wait again.
        with session_scope(ctx.engine) as session:
            again = guard(ctx, session, post_id)
            if isinstance(again, PublishResult):
                return again
            ready = again
            started = _start_one(ctx, session, again) if again.wait == 0 else None
    if started is None:  # still early after its rounds: back to the schedule, claimed again in time
        with session_scope(ctx.engine) as session:
            transition(
                session=session, post_id=post_id, expected=S.CLAIMED, to=S.SCHEDULED, now=ctx.clock(),
                values=RELEASED,
            )  # fmt: skip
        return PublishResult(post_id, "released", "not due yet")
    if isinstance(started, PublishResult):
        return started
    sent = send(ctx, started)
    if isinstance(sent, PublishResult):
        return sent
    return finish(ctx, [sent])[post_id]


def claim_token(ctx: Context) -> str:
    """A new claim token: ``claimed_by`` while this worker holds the posts it starts with it."""
    return f"{ctx.worker}/{uuid.uuid4().hex[:12]}"


def start(ctx: Context, session: Session, ready: Sequence[Ready]) -> dict[str, Sending]:
    """``claimed -> sending`` for the ``ready`` posts, each under the claim its guard saw, all under
    one new claim token, with their attempt rows; the caller commits before the platform is called.
    The posts another worker took meanwhile are missing from the answer."""
    now = ctx.clock()
    token = claim_token(ctx)
    started = start_sending(
        session=session,
        claims={r.post_id: r.claimed_by for r in ready},
        now=now,
        token=token,
        worker=ctx.worker,
    )
    return {
        r.post_id: Sending(r.post, token, s.attempt_id, s.number, now)
        for r in ready
        if (s := started.get(r.post_id)) is not None
    }


def _start_one(ctx: Context, session: Session, ready: Ready) -> Sending | PublishResult:
    started = start(ctx, session, [ready])
    return started.get(ready.post_id) or PublishResult(ready.post_id, "skipped", "another worker took it")


@dataclass(frozen=True, slots=True)
class Sent:
    """A post whose every part the platform took; ``finish`` records it."""

    job: Sending
    at: datetime  # when the platform took the last part
    lateness: float | None  # of its first part, if this call sent it
    last: Part | None  # the last part, if this call sent it (its id is not recorded yet)


def send(ctx: Context, job: Sending) -> Sent | PublishResult:
    """Send each part of ``job`` still missing (recording each but the last as it goes). Returns what
    ``finish`` records, or the result of an error (recorded already)."""
    post = job.post
    try:
        platform = ctx.platforms.get(post.channel, post.account)
    except AccountNotConfigured as e:
        return record_failure(ctx, job, account_unusable(str(e)), e)
    lateness: float | None = None
    last = len(post.parts) - 1
    for index in range(len(post.remote_ids), len(post.parts)):
        first = index == 0
        try:
            remote = platform.publish(
                post.parts[index],
                media=media_files(post) if first else (),
                reply_to=post.remote_ids[-1] if post.remote_ids else None,
                link=post.link if first else None,
            )
        except PlatformError as error:
            decision = decide(error, attempt=job.attempt, now=ctx.clock(), rng=ctx.rng)
            return record_failure(ctx, job, decision, error)
        now = ctx.clock()
        if first:
            lateness = (now - post.scheduled_at).total_seconds()
        part = Part(index=index, remote_id=remote.id, url=remote.url)
        if index == last:  # its id is committed together with `published`: one commit, same guarantee
            return Sent(job, now, lateness, part)
        with session_scope(ctx.engine) as session:
            recorded = _record(session, job, part, now)
        if not recorded:
            return taken_over(post, part)
    return Sent(job, ctx.clock(), lateness, None)


def _record(session: Session, job: Sending, part: Part, now: datetime) -> bool:
    return record_part(
        session=session,
        post=job.post,
        index=part.index,
        remote_id=part.remote_id,
        now=now,
        url=part.url,
        owner=job.token,
    )


def finish(ctx: Context, sent: Sequence[Sent]) -> dict[str, PublishResult]:
    """Record the ``sent`` posts as published, each with its last part's id (if its send made it), and
    close their attempts: one transaction for them all. A post whose row another worker holds now
    records nothing (``LOST_CLAIM``)."""
    if not sent:
        return {}
    records = [_published(s) for s in sent]
    with session_scope(ctx.engine) as session:
        won = set(record_published(session=session, now=ctx.clock(), published=records))
    results: dict[str, PublishResult] = {}
    for s, record in zip(sent, records, strict=True):
        post = s.job.post
        if post.id not in won:
            results[post.id] = taken_over(post, s.last, "every part is out")
            continue
        post.remote_ids = record.remote_ids
        post.remote_url = record.remote_url or post.remote_url
        log_published(post, handle=ctx.platforms.handle(post.channel, post.account), lateness=s.lateness)
        results[post.id] = PublishResult(post.id, "published", post.remote_url or "")
    return results


def _published(sent: Sent) -> Published:
    job, part = sent.job, sent.last
    remote_ids = [*job.post.remote_ids, part.remote_id] if part is not None else list(job.post.remote_ids)
    url = part.url if part is not None and part.index == 0 else None  # the first part's link is the post's
    return Published(job.post.id, job.token, job.attempt_id, job.started_at, sent.at, remote_ids, url)
