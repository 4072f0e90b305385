"""The guard a worker runs before it sends a post: is the post still claimed, still in time, free to go?

Run once when the message arrives and again after waiting for the post's second (``publish``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import Session, col, select

from campaigns.publishing.context import Context
from campaigns.publishing.outcome import PublishResult, log
from campaigns.publishing.policy import MAX_EARLY_WAIT, early_wait
from campaigns.store.dispatch import MISSED_REASON
from campaigns.store.due_posts import is_missed
from campaigns.store.models import AccountState, Campaign, Post, PostStatus
from campaigns.store.states import RELEASED, transition

S = PostStatus


@dataclass(frozen=True, slots=True)
class Ready:
    """A claimed post that may go out once ``wait`` seconds have passed, and the claim the guard saw.

    ``post`` is the row the guard read, held here so that its session keeps it (the session's
    identity map holds rows weakly: without this, reading it again would be another query)."""

    post: Post
    claimed_by: str | None
    wait: float

    @property
    def post_id(self) -> str:
        return self.post.id


def guard(ctx: Context, session: Session, post_id: str) -> PublishResult | Ready:
    """The terminal-state guard. Returns a result (nothing to send) or the claim and the seconds to wait."""
    return guard_many(ctx, session, [post_id])[post_id]


def guard_many(ctx: Context, session: Session, post_ids: Sequence[str]) -> dict[str, PublishResult | Ready]:
    """``guard`` for each of ``post_ids`` (one message's posts), with one query for them all."""
    rows = {post.id: (post, campaign, account) for post, campaign, account in _load(session, post_ids)}
    now = ctx.clock()
    return {
        post_id: _check(session, *rows[post_id], now)
        if post_id in rows
        else PublishResult(post_id, "skipped", "no such post")
        for post_id in post_ids
    }


def held_now(ctx: Context, session: Session, post_ids: Sequence[str]) -> dict[str, str]:
    """Why each of ``post_ids`` (posts this worker holds) must not go out now, if anything holds it:
    its campaign paused or its account held since its guard ran. One query."""
    now = ctx.clock()
    reasons = {post.id: _held_because(post, c, a, now) for post, c, a in _load(session, post_ids)}
    return {post_id: reason for post_id, reason in reasons.items() if reason}


def _load(
    session: Session, post_ids: Sequence[str]
) -> list[tuple[Post, Campaign | None, AccountState | None]]:
    """The posts, their campaigns and their accounts' states in one round trip."""
    rows = session.exec(
        select(Post, Campaign, AccountState)
        .outerjoin(Campaign, col(Campaign.slug) == col(Post.campaign_slug))
        .outerjoin(
            AccountState,
            and_(
                col(AccountState.platform) == col(Post.channel),
                col(AccountState.account) == col(Post.account),
            ),
        )
        .where(col(Post.id).in_(list(post_ids)))
    )
    return list(rows.all())


def _check(
    session: Session,
    post: Post,
    campaign: Campaign | None,
    account: AccountState | None,
    now: datetime,
) -> PublishResult | Ready:
    post_id = post.id
    if post.status != S.CLAIMED:
        return PublishResult(post_id, "skipped", f"it is {post.status}")
    # A thread already partly out is finished rather than left half-published.
    if not post.remote_ids and is_missed(deadline=post.missed_after, now=now):
        values = {"status_reason": MISSED_REASON, **RELEASED}
        if transition(
            session=session, post_id=post_id, expected=S.CLAIMED, to=S.MISSED, now=now, values=values
        ):
            log.warning("missed %s: %s", post_id, MISSED_REASON)
            return PublishResult(post_id, "missed", MISSED_REASON)
        return PublishResult(post_id, "skipped", "it changed meanwhile")
    held = _held_because(post, campaign, account, now)
    if not held and post.scheduled_at - now > MAX_EARLY_WAIT:
        # Claimed further ahead than the dispatcher's look-ahead: a message run early (its ETA
        # read on a worker clock that is ahead), or a claim made on another clock. Sending it now
        # would be early, and waiting would park a worker: the dispatcher claims it again in time.
        held = f"not due until {post.scheduled_at:%Y-%m-%d %H:%M:%S} UTC"
    if held:
        transition(
            session=session, post_id=post_id, expected=S.CLAIMED, to=S.SCHEDULED, now=now, values=RELEASED
        )
        return PublishResult(post_id, "released", held)
    return Ready(post, post.claimed_by, early_wait(scheduled_at=post.scheduled_at, now=now))


def _held_because(post: Post, campaign: Campaign | None, account: AccountState | None, now: datetime) -> str:
    """Why a claimed post must not go out now ("" if nothing holds it): the dispatcher claimed it
    before its campaign was paused or its account was held by another post's answer."""
    if campaign is None or campaign.paused or campaign.removed_at is not None:
        return "its campaign is paused"
    if account is not None and account.attention_needed:
        return f"{post.channel}/{post.account} needs attention"
    if account is not None and account.rate_limited_until and account.rate_limited_until > now:
        return f"{post.channel}/{post.account} is rate limited"
    return ""
