"""The publishing pipeline's own queries: crash recovery, reconciliation, and the beat lease (what the
health check reads is in ``campaigns.store.health_reads``).

Status changes here are bulk versions of moves the state machine allows (each asserts it), for
rows whose owner is gone: a claim whose message was lost, a ``sending`` row whose worker died.
None of these functions commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import case, or_, update
from sqlmodel import Session, col, select

from campaigns.store.insert_missing import insert_missing
from campaigns.store.models import AccountState, Attempt, Post, PostStatus
from campaigns.store.pipeline_models import BeatLease
from campaigns.store.states import RELEASED, is_allowed

S = PostStatus


class DueAt(NamedTuple):
    """When and from which account a claimed post goes out: what the dispatcher groups by."""

    scheduled_at: datetime
    channel: str
    account: str


def due_at(*, session: Session, ids: Sequence[str]) -> dict[str, DueAt]:
    """post id -> (scheduled_at, channel, account), for the given ids."""
    if not ids:
        return {}
    rows = session.exec(
        select(Post.id, Post.scheduled_at, Post.channel, Post.account).where(col(Post.id).in_(list(ids)))
    )
    return {post_id: DueAt(at, channel, account) for post_id, at, channel, account in rows.all()}


def _move(
    session: Session, old: PostStatus, new: PostStatus, now: datetime, *conditions: object, **values: object
) -> list[str]:
    assert is_allowed(old, new), f"{old} -> {new}"
    stmt = (
        update(Post)
        .where(col(Post.status) == old.value, *conditions)  # type: ignore[arg-type]
        .values(status=new.value, updated_at=now, **values)
        .returning(col(Post.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(session.exec(stmt).scalars().all())


def release_claims(*, session: Session, ids: Sequence[str], now: datetime) -> list[str]:
    """Give claimed posts back to the schedule (their publish message could not be sent)."""
    if not ids:
        return []
    return _move(session, S.CLAIMED, S.SCHEDULED, now, col(Post.id).in_(list(ids)), **RELEASED)


def release_stale_claims(*, session: Session, now: datetime, older_than: timedelta) -> list[str]:
    """Claims older than ``older_than`` whose task never started (its message was lost): scheduled again."""
    return _move(session, S.CLAIMED, S.SCHEDULED, now, col(Post.claimed_at) < now - older_than, **RELEASED)


def expire_sending(*, session: Session, now: datetime, older_than: timedelta) -> list[str]:
    """``sending`` rows untouched for longer than ``older_than`` (more than a task may live): their
    worker died mid-call, so whether the platform has the post is unknown. They become unconfirmed."""
    return _move(session, S.SENDING, S.UNCONFIRMED, now, col(Post.updated_at) < now - older_than)


def unconfirmed_ids(*, session: Session, limit: int) -> list[str]:
    """Unconfirmed posts, least recently looked at first."""
    stmt = (
        select(Post.id)
        .where(col(Post.status) == S.UNCONFIRMED.value)
        .order_by(col(Post.updated_at), col(Post.id))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def touch_post(*, session: Session, post_id: str, expected: PostStatus, now: datetime) -> bool:
    """Mark a post as looked at (``updated_at``) without changing it, if it is still ``expected``."""
    stmt = (
        update(Post)
        .where(col(Post.id) == post_id, col(Post.status) == expected.value)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(session.exec(stmt).rowcount == 1)


def latest_attempt(*, session: Session, post_id: str) -> Attempt | None:
    stmt = select(Attempt).where(col(Attempt.post_id) == post_id).order_by(col(Attempt.number).desc())
    return session.exec(stmt.limit(1)).first()


def set_attempt_outcome(*, session: Session, attempt_id: int, outcome: str) -> None:
    """Record what reconciliation learnt about an attempt whose outcome was unknown."""
    stmt = update(Attempt).where(col(Attempt.id) == attempt_id).values(outcome=outcome)
    session.exec(stmt.execution_options(synchronize_session=False))


# --- accounts -------------------------------------------------------------------------------------


def accounts_to_recheck(*, session: Session, now: datetime, every: timedelta) -> list[AccountState]:
    """Accounts whose credentials need attention and were not looked at for ``every``."""
    stmt = select(AccountState).where(
        col(AccountState.attention_needed).is_(True), col(AccountState.updated_at) < now - every
    )
    return list(session.exec(stmt.order_by(col(AccountState.updated_at))).all())


def touch_account(*, session: Session, platform: str, account: str, now: datetime) -> None:
    stmt = (
        update(AccountState)
        .where(col(AccountState.platform) == platform, col(AccountState.account) == account)
        .values(updated_at=now)
    )
    session.exec(stmt.execution_options(synchronize_session=False))


# --- the beat lease -------------------------------------------------------------------------------


def acquire_lease(*, session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``now + ttl``. True if ``holder`` holds it now.

    One conditional UPDATE: it succeeds when ``holder`` already holds the lease or the lease has
    expired (or was released). Two contenders cannot both win: PostgreSQL re-checks the WHERE on the
    row the first winner wrote, and SQLite runs one writer at a time.
    """
    session.exec(insert_missing(session, BeatLease, {"name": name, "holder": None, "expires_at": now}))
    mine = col(BeatLease.holder) == holder
    stmt = (
        update(BeatLease)
        .where(
            col(BeatLease.name) == name,
            or_(mine, col(BeatLease.holder).is_(None), col(BeatLease.expires_at) < now),
        )
        .values(
            holder=holder,
            acquired_at=case((mine, col(BeatLease.acquired_at)), else_=now),
            renewed_at=now,
            expires_at=now + ttl,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(session.exec(stmt).rowcount == 1)


def release_lease(*, session: Session, name: str, holder: str, now: datetime) -> bool:
    """Give the lease up (a clean shutdown), so a standby takes over at once. True if it was held."""
    stmt = (
        update(BeatLease)
        .where(col(BeatLease.name) == name, col(BeatLease.holder) == holder)
        .values(holder=None, expires_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(session.exec(stmt).rowcount == 1)
