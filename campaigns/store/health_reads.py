"""What the health check reads of the schedule: the posts overdue, and the beat's lease.

Written on the Core tables (``campaigns.store.core_tables``), from a session or a Core connection:
`campaigns health` loads no SQLModel. Taking and renewing the lease is ``campaigns.store.pipeline``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from campaigns.store.core_tables import BEAT_LEASE, POSTS
from campaigns.store.due_posts import due_posts_query
from campaigns.store.hot_path import connection_of
from campaigns.store.post_status import PostStatus

if TYPE_CHECKING:
    from sqlmodel import Session


def overdue_posts(
    *, session: Session | Connection, now: datetime, grace: timedelta, limit: int = 1000
) -> list[Row[Any]]:
    """Posts that should have gone out more than ``grace`` ago and nothing is holding back: claimable
    ones nobody claimed, and claims no worker started. Oldest first. Paused campaigns, held accounts
    and posts waiting for a backoff are not overdue."""
    connection = connection_of(session)
    posts = POSTS.c
    claimable = due_posts_query(now=now, lookahead=-grace, limit=limit)
    stuck = select(posts.id).where(
        posts.status == PostStatus.CLAIMED.value,
        posts.scheduled_at < now - grace,
        posts.claimed_at < now - grace,
    )
    ids = [*connection.execute(claimable).scalars(), *connection.execute(stuck.limit(limit)).scalars()]
    if not ids:
        return []
    return list(connection.execute(select(POSTS).where(posts.id.in_(ids)).order_by(posts.scheduled_at)))


def get_lease(*, session: Session | Connection, name: str) -> Row[Any] | None:
    """The lease ``name`` (holder, acquired_at, renewed_at, expires_at), or None if never taken."""
    return connection_of(session).execute(select(BEAT_LEASE).where(BEAT_LEASE.c.name == name)).first()
