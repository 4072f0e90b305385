"""Which posts are due, and when one is too late: the dispatcher's question (``campaigns.store.dispatch`` claims them) and the
health check's (``campaigns.store.health_reads``: due and nobody took them).

Written on the Core tables (``campaigns.store.core_tables``): the same SQL as on the table classes,
and `campaigns health` loads no SQLModel to ask it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Exists, Select, String, cast, exists, false, or_, select

from campaigns.store.core_tables import ACCOUNT_STATE, CAMPAIGNS, POSTS
from campaigns.store.post_status import PostStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Mapped


def missed_after(scheduled_at: datetime, late_window: timedelta) -> datetime:
    """The last instant a post may still go out."""
    return scheduled_at + late_window


def is_missed(*, deadline: datetime, now: datetime) -> bool:
    """True when a post whose deadline is ``deadline`` must no longer be sent at ``now``.

    The post may still go out *at* its deadline; ``mark_missed_posts`` asks the same in SQL.
    """
    return now > deadline


def _account_held(now: datetime) -> Exists:
    state, posts = ACCOUNT_STATE.c, POSTS.c
    return exists().where(
        state.platform == posts.channel,
        state.account == posts.account,
        or_(state.attention_needed, state.rate_limited_until > now),
    )


def partly_sent(remote_ids: ColumnElement[Any] | Mapped[Any] = POSTS.c.remote_ids) -> ColumnElement[bool]:
    """A thread with parts already on the platform: finished even past its late window, rather than
    leaving half a thread online (``remote_ids`` is a JSON list: ``[]`` until the first part is out).

    ``remote_ids``: the column of the table the statement is on (a table class's, in an ORM UPDATE).
    """
    return cast(remote_ids, String) != "[]"


def due_posts_query(
    *, now: datetime, lookahead: timedelta, limit: int, after: datetime | None = None
) -> Select[str]:
    """SELECT the ids of the posts a dispatcher may claim at ``now``, soonest first, then by account
    (only those scheduled later than ``after``, if given)."""
    posts, campaigns = POSTS.c, CAMPAIGNS.c
    query = (
        select(posts.id)
        .join(CAMPAIGNS, campaigns.slug == posts.campaign_slug)
        .where(
            posts.status == PostStatus.SCHEDULED.value,
            posts.scheduled_at <= now + lookahead,
            or_(posts.missed_after >= now, partly_sent()),  # too late: mark_missed_posts takes it
            or_(posts.next_attempt_at.is_(None), posts.next_attempt_at <= now),
            campaigns.spec_paused == false(),
            campaigns.operator_paused == false(),
            campaigns.removed_at.is_(None),
            ~_account_held(now),
        )
        # Posts due at the same moment come account by account: a claim of a burst's next few hundred
        # posts then makes messages of GROUP posts of one account (campaigns.publishing.dispatch),
        # where in id order it took a post or two of each account, a message (and its broker and
        # pool cost) per post or two.
        .order_by(posts.scheduled_at, posts.channel, posts.account, posts.id)
        .limit(limit)
    )
    return query if after is None else query.where(posts.scheduled_at > after)
