"""Reconciliation: an ``unconfirmed`` post is settled by asking the platform, never by sending blindly.

A post is unconfirmed when a create may have reached the platform without us learning its id
(connection cut after sending, client timeout, a 5xx on a create, a worker that died mid-call) or
when the platform refused it as a duplicate. For the first part not yet recorded, the account's
recent posts (X: its timeline; Facebook: the Page's published posts, or the comments under the
previous part) are searched for its whole text, links included (see ``campaigns.platforms.matching``);
posts already recorded for another of our posts are set aside:

- found once: its id is recorded; the post is published, or (a thread) goes back to the schedule and
  resumes with the next part;
- not found, and the attempt is older than ``RECONCILE_SETTLE``: it did not arrive, so it is
  safe to send again (the lost try counts as an attempt; after MAX_ATTEMPTS the post fails);
- not found after a duplicate refusal: the platform has it, we cannot see it; it is settled as
  published without an id (a thread stops there, as failed, since the next part cannot reply);
- found more than once: it stays unconfirmed, with the ids in its reason, rather than guessing
  (a person decides; nothing is sent again);
- the platform cannot be asked now: it stays unconfirmed and the sweep asks again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from campaigns.platforms import CredentialsRejected, PlatformError, QuotaExhausted, RemotePost
from campaigns.publishing.alerts import flag_account, send_alert
from campaigns.publishing.context import AccountNotConfigured, Context
from campaigns.publishing.outcome import PublishResult, log, log_published
from campaigns.publishing.policy import RECONCILE_LOOKBACK, RECONCILE_SETTLE, retry_or_give_up
from campaigns.store.db import session_scope
from campaigns.store.models import Attempt, Post, PostStatus
from campaigns.store.owned import owned_remote_ids
from campaigns.store.pipeline import latest_attempt, set_attempt_outcome, touch_post
from campaigns.store.states import RELEASED, transition, update_if_status

S = PostStatus


@dataclass(slots=True)
class Unconfirmed:
    post: Post  # detached copy
    attempt: Attempt | None  # the try whose outcome is unknown

    @property
    def since(self) -> datetime:
        start = self.attempt.started_at if self.attempt else self.post.scheduled_at
        return start - RECONCILE_LOOKBACK

    @property
    def settled_after(self) -> datetime:
        """Before this instant, "not found" may only mean "not visible yet"."""
        if self.attempt is None:
            return self.post.updated_at + RECONCILE_SETTLE
        return (self.attempt.finished_at or self.attempt.started_at) + RECONCILE_SETTLE

    @property
    def duplicate(self) -> bool:
        return self.attempt is not None and self.attempt.outcome == "duplicate"


def reconcile_post(ctx: Context, post_id: str) -> PublishResult:
    """Settle unconfirmed post ``post_id`` with the platform's answer; see the module docstring."""
    with session_scope(ctx.engine, read_only=True) as session:
        post = session.get(Post, post_id)
        if post is None or post.status != S.UNCONFIRMED:
            return PublishResult(post_id, "skipped", f"it is {post.status if post else 'gone'}")
        job = Unconfirmed(post, latest_attempt(session=session, post_id=post_id))
    index = len(post.remote_ids)
    if index >= len(post.parts):  # every part recorded; the worker died before the last step
        return _settle(ctx, job, S.PUBLISHED, {"published_at": ctx.clock()}, "all parts were recorded")
    try:
        candidates = ctx.platforms.get(post.channel, post.account).find_candidates(
            post.parts[index],
            since=job.since,
            reply_to=post.remote_ids[-1] if post.remote_ids else None,
            link=post.link if index == 0 else None,
        )
    except (CredentialsRejected, QuotaExhausted, AccountNotConfigured) as e:
        return _cannot_ask(ctx, job, e, flag=True)
    except PlatformError as e:
        return _cannot_ask(ctx, job, e, flag=False)
    candidates = _not_owned(ctx, post, candidates)
    if len(candidates) > 1:
        return _ambiguous(ctx, job, candidates)
    if candidates:
        return _found(ctx, job, candidates[0])
    return _not_found(ctx, job)


def _not_owned(ctx: Context, post: Post, candidates: list[RemotePost]) -> list[RemotePost]:
    """The candidates no other post of ours has recorded (it is theirs, whatever the text says)."""
    if not candidates:
        return candidates
    with session_scope(ctx.engine, read_only=True) as session:
        owned = owned_remote_ids(
            session=session, channel=post.channel, remote_ids=[c.id for c in candidates], but=post.id
        )
    return [c for c in candidates if c.id not in owned and c.id not in post.remote_ids]


def _ambiguous(ctx: Context, job: Unconfirmed, candidates: list[RemotePost]) -> PublishResult:
    post = job.post
    ids = ", ".join(c.id for c in candidates)
    reason = f"{len(candidates)} posts on {post.channel} have its text ({ids}): not guessing which is ours"
    with session_scope(ctx.engine) as session:
        update_if_status(
            session=session,
            post_id=post.id,
            expected=S.UNCONFIRMED,
            now=ctx.clock(),
            values={"status_reason": reason},
        )
    log.warning("%s stays unconfirmed: %s", post.id, reason)
    return PublishResult(post.id, "unconfirmed", reason)


def _found(ctx: Context, job: Unconfirmed, found: RemotePost) -> PublishResult:
    post = job.post
    index = len(post.remote_ids)
    values: dict[str, Any] = {"remote_ids": [*post.remote_ids, found.id], "status_reason": None}
    if index == 0:
        values["remote_url"] = found.url
    if index + 1 < len(post.parts):  # a thread: the rest goes out from the next tick
        values |= {"next_attempt_at": None, "status_reason": f"part {index + 1} found on the platform"}
        return _settle(ctx, job, S.SCHEDULED, values, f"part {index + 1} found; the thread resumes")
    values["published_at"] = found.created_at if index == 0 else ctx.clock()
    return _settle(ctx, job, S.PUBLISHED, values, "found on the platform")


def _not_found(ctx: Context, job: Unconfirmed) -> PublishResult:
    post = job.post
    now = ctx.clock()
    if now < job.settled_after:
        _touch(ctx, post.id)
        return PublishResult(post.id, "unconfirmed", "not visible on the platform yet")
    index = len(post.remote_ids)
    if job.duplicate and index + 1 == len(post.parts):
        reason = "refused as a duplicate of a post that could not be found (no remote id)"
        return _settle(ctx, job, S.PUBLISHED, {"published_at": now, "status_reason": reason}, reason)
    if job.duplicate:
        reason = f"part {index + 1} was refused as a duplicate and the original cannot be found; the rest was not sent"
        return _settle(ctx, job, S.FAILED, {"status_reason": reason}, reason)
    decision = retry_or_give_up(
        f"not on {post.channel} after an unknown outcome", attempt=post.attempts, now=now, rng=ctx.rng
    )
    values = {"status_reason": decision.reason, "next_attempt_at": decision.next_attempt_at}
    return _settle(ctx, job, decision.status, values, decision.reason)


def _settle(
    ctx: Context, job: Unconfirmed, to: PostStatus, values: dict[str, Any], how: str
) -> PublishResult:
    post = job.post
    with session_scope(ctx.engine) as session:
        now = ctx.clock()
        won = transition(
            session=session,
            post_id=post.id,
            expected=S.UNCONFIRMED,
            to=to,
            now=now,
            values={**values, **RELEASED},
        )
        if won and job.attempt is not None and job.attempt.id is not None:
            set_attempt_outcome(
                session=session, attempt_id=job.attempt.id, outcome=f"{job.attempt.outcome}: {to}"
            )
    if not won:
        return PublishResult(post.id, "skipped", "settled by someone else meanwhile")
    if to == S.PUBLISHED:
        post.remote_ids = values.get("remote_ids", post.remote_ids)
        post.remote_url = values.get("remote_url", post.remote_url)
        log_published(post, handle=ctx.platforms.handle(post.channel, post.account), lateness=None, how=how)
        return PublishResult(post.id, "published", how)
    if to == S.FAILED:
        log.warning("failed %s: %s", post.id, how)
        return PublishResult(post.id, "failed", how)
    log.info("reconciled %s: %s", post.id, how)
    return PublishResult(post.id, "rescheduled", how)


def _cannot_ask(
    ctx: Context, job: Unconfirmed, error: PlatformError | AccountNotConfigured, *, flag: bool
) -> PublishResult:
    post = job.post
    problem = f"{error.kind}: {error.message}" if isinstance(error, PlatformError) else str(error)
    alert = False
    with session_scope(ctx.engine) as session:
        now = ctx.clock()
        touch_post(session=session, post_id=post.id, expected=S.UNCONFIRMED, now=now)
        if flag:
            alert = flag_account(
                session=session, platform=post.channel, account=post.account, reason=problem, now=now
            )
    if alert:
        send_alert(post.channel, post.account, problem)
    log.info("%s stays unconfirmed: cannot ask %s now (%s)", post.id, post.channel, problem)
    return PublishResult(post.id, "unconfirmed", f"cannot ask the platform now: {problem}")


def _touch(ctx: Context, post_id: str) -> None:
    with session_scope(ctx.engine) as session:
        touch_post(session=session, post_id=post_id, expected=S.UNCONFIRMED, now=ctx.clock())
