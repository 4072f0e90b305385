"""What the dispatcher asks the schedule every tick: which posts are due (claim them), which are too late.

The claim: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent dispatchers take
disjoint batches without waiting on each other, then a conditional UPDATE (``AND status =
'scheduled'``) of what was selected. SQLite runs one writer at a time, so claimers take turns.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Exists, String, and_, cast, exists, false, func, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from campaigns.store.models import AccountState, Campaign, Post, PostStatus
from campaigns.store.states import is_allowed

MISSED_REASON = "its late window passed before it could be sent"


def missed_after(scheduled_at: datetime, late_window: timedelta) -> datetime:
    """The last instant a post may still go out."""
    return scheduled_at + late_window


def is_missed(*, deadline: datetime, now: datetime) -> bool:
    """True when a post whose deadline is ``deadline`` must no longer be sent at ``now``.

    The post may still go out *at* its deadline; ``mark_missed_posts`` asks the same in SQL.
    """
    return now > deadline


def _account_held(now: datetime) -> Exists:
    return exists().where(
        col(AccountState.platform) == col(Post.channel),
        col(AccountState.account) == col(Post.account),
        or_(col(AccountState.attention_needed), col(AccountState.rate_limited_until) > now),
    )


def _partly_sent() -> ColumnElement[bool]:
    """A thread with parts already on the platform: finished even past its late window, rather than
    leaving half a thread online (``remote_ids`` is a JSON list: ``[]`` until the first part is out)."""
    return cast(col(Post.remote_ids), String) != "[]"


def due_posts_query(
    *, now: datetime, lookahead: timedelta, limit: int, after: datetime | None = None
) -> SelectOfScalar[str]:
    """SELECT the ids of the posts a dispatcher may claim at ``now``, soonest first, then by account
    (only those scheduled later than ``after``, if given)."""
    query = (
        select(col(Post.id))
        .join(Campaign, col(Campaign.slug) == col(Post.campaign_slug))
        .where(
            col(Post.status) == PostStatus.SCHEDULED.value,
            col(Post.scheduled_at) <= now + lookahead,
            or_(col(Post.missed_after) >= now, _partly_sent()),  # too late: mark_missed_posts takes it
            or_(col(Post.next_attempt_at).is_(None), col(Post.next_attempt_at) <= now),
            col(Campaign.spec_paused) == false(),
            col(Campaign.operator_paused) == false(),
            col(Campaign.removed_at).is_(None),
            ~_account_held(now),
        )
        # Posts due at the same moment come account by account: a claim of a burst's next few hundred
        # posts then makes messages of GROUP posts of one account (campaigns.publishing.dispatch),
        # where in id order it took a post or two of each account, a message (and its broker and
        # pool cost) per post or two.
        .order_by(col(Post.scheduled_at), col(Post.channel), col(Post.account), col(Post.id))
        .limit(limit)
    )
    return query if after is None else query.where(col(Post.scheduled_at) > after)


def claim_due_posts(
    *,
    session: Session,
    now: datetime,
    worker: str,
    limit: int = 100,
    lookahead: timedelta = timedelta(0),
    after: datetime | None = None,
) -> list[str]:
    """Atomically move up to ``limit`` due posts from scheduled to claimed for ``worker``; their ids, soonest first.

    Due: status scheduled, ``scheduled_at <= now + lookahead``, not past its late window, no backoff
    or hold pending (``next_attempt_at``), campaign neither paused nor removed, account not rate
    limited and its credentials not in question; scheduled later than ``after``, if given. A post
    claimed here belongs to ``worker`` until it
    moves on (``claimed -> sending``) or is released (``claimed -> scheduled``). Does not commit:
    commit before handing the ids to workers.
    """
    assert is_allowed(PostStatus.SCHEDULED, PostStatus.CLAIMED)
    due = due_posts_query(now=now, lookahead=lookahead, limit=limit, after=after)
    if session.get_bind().dialect.name == "postgresql":
        # Lock the chosen rows, passing over rows another dispatcher is locking right now. A separate
        # statement on purpose: as a sub-SELECT of the UPDATE, PostgreSQL may run it more than once
        # and so claim more than `limit` rows.
        due = due.with_for_update(skip_locked=True, of=Post)
    # On SQLite this transaction holds the database's write lock (BEGIN IMMEDIATE): nobody can
    # claim between the SELECT and the UPDATE.
    chosen = list(session.exec(due).all())
    if not chosen:
        return []
    stmt = (
        update(Post)
        .where(col(Post.id).in_(chosen), col(Post.status) == PostStatus.SCHEDULED.value)
        .values(status=PostStatus.CLAIMED.value, claimed_at=now, claimed_by=worker, updated_at=now)
        .returning(col(Post.id))
        .execution_options(synchronize_session=False)
    )
    won = set(session.exec(stmt).scalars())
    return [post_id for post_id in chosen if post_id in won]


def backlog_start(*, session: Session, now: datetime) -> datetime | None:
    """When the oldest post still waiting to go out was due: the oldest claimable one due by ``now``
    or claimed and not started (handed to the broker). None when nothing waits."""
    first_due = due_posts_query(now=now, lookahead=timedelta(0), limit=1).subquery()
    candidates = [
        select(col(Post.scheduled_at)).where(col(Post.id).in_(select(first_due.c.id))),
        select(func.min(col(Post.scheduled_at))).where(col(Post.status) == PostStatus.CLAIMED.value),
    ]
    found = [at for query in candidates for at in session.exec(query).all() if at is not None]
    return min(found, default=None)


def claimed_count(*, session: Session) -> int:
    """How many posts are claimed and not yet started: handed to the broker, waiting for a worker."""
    statement = select(func.count()).select_from(Post).where(col(Post.status) == PostStatus.CLAIMED.value)
    return int(session.exec(statement).one())


def mark_missed_posts(*, session: Session, now: datetime) -> list[str]:
    """Move every scheduled post whose late window has passed at ``now`` to missed; return their ids.

    Uses the rule of ``is_missed``. Claimed posts are left to their claimer, which checks
    ``is_missed`` before sending. A thread already partly out is not missed: it is finished.
    Does not commit.
    """
    assert is_allowed(PostStatus.SCHEDULED, PostStatus.MISSED)
    stmt = (
        update(Post)
        .where(
            and_(
                col(Post.status) == PostStatus.SCHEDULED.value, col(Post.missed_after) < now, ~_partly_sent()
            )
        )
        .values(status=PostStatus.MISSED.value, status_reason=MISSED_REASON, updated_at=now)
        .returning(col(Post.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(session.exec(stmt).scalars().all())
