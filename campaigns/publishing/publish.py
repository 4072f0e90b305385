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

Any platform error goes through ``policy.decide``; see ``_after_error``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from campaigns.platforms import PlatformError
from campaigns.publishing.alerts import flag_account, send_alert
from campaigns.publishing.context import AccountNotConfigured, Context
from campaigns.publishing.guard import Ready, guard
from campaigns.publishing.outcome import PublishResult, log, log_published, media_files
from campaigns.publishing.policy import Decision, account_unusable, decide
from campaigns.publishing.reconcile import reconcile_post
from campaigns.store.account_states import hold_account
from campaigns.store.attempts import finish_attempt, record_part
from campaigns.store.db import session_scope
from campaigns.store.models import Post, PostStatus
from campaigns.store.sending import Published, record_published, start_sending
from campaigns.store.states import RELEASED, transition

S = PostStatus
EARLY_ROUNDS = 3  # waits for a post claimed ahead of its time before it goes back to the schedule


@dataclass(slots=True)
class Sending:
    """A post this worker moved to ``sending``, and its attempt."""

    post: Post  # detached copy; record_part keeps its remote_ids current
    token: str  # this worker's claim token: claimed_by while the post is ours
    attempt_id: int
    attempt: int  # the try's number (post.attempts once it was counted)
    started_at: datetime  # the attempt's start


@dataclass(frozen=True, slots=True)
class Part:
    """A part the platform has just taken."""

    index: int
    remote_id: str
    url: str | None


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
        return _after_error(ctx, job, account_unusable(str(e)), e)
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
            return _after_error(ctx, job, decision, error)
        now = ctx.clock()
        if first:
            lateness = (now - post.scheduled_at).total_seconds()
        part = Part(index=index, remote_id=remote.id, url=remote.url)
        if index == last:  # its id is committed together with `published`: one commit, same guarantee
            return Sent(job, now, lateness, part)
        with session_scope(ctx.engine) as session:
            recorded = _record(session, job, part, now)
        if not recorded:
            return _taken_over(post, part)
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


LOST_CLAIM = "lost claim"  # the outcome of a worker whose row another worker holds now


def _taken_over(post: Post, part: Part | None, what: str = "") -> PublishResult:
    """This worker's lease ran out (the sweep took the post from it, and maybe another worker took
    it since): its row is not its own any more, so it records nothing and says why."""
    done = f"part {part.index + 1} sent as {part.remote_id}" if part is not None else what
    log.warning(
        "%s: %s, but the post's claim is no longer held by this worker (its sending lease ran out); "
        "nothing recorded",
        post.id,
        done,
    )
    return PublishResult(post.id, LOST_CLAIM, "taken over while sending; nothing recorded")


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
            results[post.id] = _taken_over(post, s.last, "every part is out")
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


def _after_error(
    ctx: Context, job: Sending, decision: Decision, error: PlatformError | AccountNotConfigured
) -> PublishResult:
    """Record a failed try and move the post (and maybe its account) as ``decision`` says."""
    post = job.post
    problem = f"{error.kind}: {error.message}" if isinstance(error, PlatformError) else str(error)
    alert = False
    with session_scope(ctx.engine) as session:
        now = ctx.clock()
        values: dict[str, object] = {
            "status_reason": decision.reason,
            "next_attempt_at": decision.next_attempt_at,
            **RELEASED,
        }
        if decision.refund_attempt:
            values["attempts"] = job.attempt - 1
        moved = transition(
            session=session,
            post_id=post.id,
            expected=S.SENDING,
            to=decision.status,
            now=now,
            values=values,
            owner=job.token,
        )
        if not moved:  # the post is someone else's now: nothing of this try is ours to record
            return _taken_over(post, None, f"{decision.reason}")
        finish_attempt(
            session=session,
            attempt_id=job.attempt_id,
            now=now,
            outcome=decision.outcome,
            error=str(error),
            started_at=job.started_at,
        )
        if decision.hold_account_until is not None:
            hold_account(
                session=session,
                platform=post.channel,
                account=post.account,
                until=decision.hold_account_until,
                reason=decision.reason,
                now=now,
            )
        if decision.flag_account:
            alert = flag_account(
                session=session, platform=post.channel, account=post.account, reason=problem, now=now
            )
    if alert:
        send_alert(post.channel, post.account, problem)
    _log_decision(post.id, decision)
    if decision.reconcile_now:
        return reconcile_post(ctx, post.id)
    return PublishResult(post.id, decision.outcome, decision.reason)


def _log_decision(post_id: str, decision: Decision) -> None:
    if decision.status == S.FAILED:
        log.warning("failed %s: %s", post_id, decision.reason)
    elif decision.status == S.UNCONFIRMED:
        log.warning("unconfirmed %s: %s; asking the platform", post_id, decision.reason)
    else:
        when = f" (next try {decision.next_attempt_at:%H:%M:%S} UTC)" if decision.next_attempt_at else ""
        log.info("not yet %s: %s%s", post_id, decision.reason, when)
