"""The accounts held because their credentials were rejected, and the posts they hold back: what
`campaigns status` and `campaigns health` show first, in red.

Read on the Core tables (``campaigns.store.core_tables``), from a session or a Core connection: those
commands load no SQLModel. Holding and releasing an account is ``campaigns.store.account_states``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select

from campaigns.store.core_tables import ACCOUNT_STATE, POSTS
from campaigns.store.hot_path import connection_of
from campaigns.store.post_status import PostStatus

if TYPE_CHECKING:
    from sqlmodel import Session

# The statuses of a post that waits for its account: a held account's posts stay scheduled.
WAITING = (PostStatus.SCHEDULED.value, PostStatus.CLAIMED.value)


@dataclass(frozen=True, slots=True)
class HeldAccount:
    """An account whose credentials were rejected, and the posts it holds back."""

    platform: str
    account: str
    since: datetime | None
    reason: str
    waiting: int  # posts of it not yet out (scheduled or claimed)
    first_waiting: list[str]  # the soonest of them, at most the ``limit`` asked for

    @property
    def label(self) -> str:
        return f"{self.platform}/{self.account}"


def held_accounts(
    *, session: Session | Connection, slug: str | None = None, limit: int = 3
) -> list[HeldAccount]:
    """The accounts held for rejected credentials, with the posts they hold (of campaign ``slug``
    only, if given; an account none of whose posts wait is still listed without ``slug``)."""
    connection = connection_of(session)
    state = ACCOUNT_STATE.c
    held = connection.execute(
        select(ACCOUNT_STATE).where(state.attention_needed).order_by(state.platform, state.account)
    ).all()
    found = []
    for row in held:
        waiting = select(POSTS.c.id).where(
            POSTS.c.channel == row.platform, POSTS.c.account == row.account, POSTS.c.status.in_(WAITING)
        )
        if slug is not None:
            waiting = waiting.where(POSTS.c.campaign_slug == slug)
        count = connection.execute(select(func.count()).select_from(waiting.subquery())).scalar_one()
        if slug is not None and count == 0:
            continue
        first = connection.execute(waiting.order_by(POSTS.c.scheduled_at, POSTS.c.id).limit(limit))
        found.append(
            HeldAccount(
                row.platform,
                row.account,
                row.attention_since,
                row.attention_reason or "its credentials were rejected",
                count,
                list(first.scalars()),
            )
        )
    return found
