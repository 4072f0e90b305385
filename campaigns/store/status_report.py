"""What `campaigns status` reads of the schedule: the campaigns, their posts of each kind, and why the
spec files are not in force (if they are not).

Written on the Core tables (``campaigns.store.core_tables``): the command loads no SQLModel, and
the rows come back as read-only ``Row`` objects with the models' attribute names. Each function
takes a session or a Core connection (``campaigns.store.db.read_connection``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from campaigns.store.core_tables import CAMPAIGNS, POSTS
from campaigns.store.hot_path import connection_of
from campaigns.store.post_status import PostStatus
from campaigns.store.spec_problems import current_spec_problems

if TYPE_CHECKING:
    from sqlmodel import Session


class NotFound(LookupError):
    """No such campaign or post. The message is one line, fit to show as is."""


def campaigns_named(
    *, session: Session | Connection, slug: str | None, removed_too: bool = False
) -> Sequence[Row[Any]]:
    """The current campaigns, or the one named ``slug`` (also a removed one if ``removed_too``).

    Raises NotFound for a name the schedule does not have, or had (saying when it was removed).
    """
    connection = connection_of(session)
    if slug is None:
        current = select(CAMPAIGNS).where(CAMPAIGNS.c.removed_at.is_(None)).order_by(CAMPAIGNS.c.slug)
        return connection.execute(current).all()
    campaign = connection.execute(select(CAMPAIGNS).where(CAMPAIGNS.c.slug == slug)).first()
    if campaign is None:
        raise NotFound(f"no campaign {slug!r} in the schedule (run `campaigns apply` first?)")
    if campaign.removed_at is not None and not removed_too:
        raise NotFound(
            f"campaign {slug!r} was removed from the specs on {campaign.removed_at:%Y-%m-%d %H:%M} UTC"
        )
    return [campaign]


@dataclass(frozen=True, slots=True)
class StatusReport:
    campaigns: list[Row[Any]]  # rows of the campaigns table
    upcoming: list[Row[Any]]  # posts: scheduled, claimed, sending; soonest first
    published: list[Row[Any]]  # newest first
    unconfirmed: list[Row[Any]]
    failed: list[Row[Any]]
    missed: list[Row[Any]]
    spec_problems: Row[Any] | None = None  # why the spec files' latest version is not in force


def status_report(*, session: Session | Connection, slug: str | None, limit: int = 20) -> StatusReport:
    """The posts people want to see, per kind, at most ``limit`` each. Raises NotFound for a bad slug."""
    campaigns = list(campaigns_named(session=session, slug=slug, removed_too=True))  # history counts
    connection = connection_of(session)

    def posts(statuses: Sequence[PostStatus], *, newest_first: bool = False) -> list[Row[Any]]:
        stmt = select(POSTS).where(POSTS.c.status.in_([s.value for s in statuses]))
        if slug is not None:
            stmt = stmt.where(POSTS.c.campaign_slug == slug)
        order = POSTS.c.scheduled_at.desc() if newest_first else POSTS.c.scheduled_at
        return list(connection.execute(stmt.order_by(order, POSTS.c.id).limit(limit)).all())

    return StatusReport(
        campaigns=campaigns,
        upcoming=posts([PostStatus.SCHEDULED, PostStatus.CLAIMED, PostStatus.SENDING]),
        published=posts([PostStatus.PUBLISHED], newest_first=True),
        unconfirmed=posts([PostStatus.UNCONFIRMED]),
        failed=posts([PostStatus.FAILED], newest_first=True),
        missed=posts([PostStatus.MISSED], newest_first=True),
        spec_problems=current_spec_problems(session=connection),
    )
