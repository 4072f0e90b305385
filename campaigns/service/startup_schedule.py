"""What ``campaigns run`` does to the schedule before it starts the workers: migrate, apply, summarise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import col, select

from campaigns.store import migrate
from campaigns.store.apply_now import Applied, apply_specs_once
from campaigns.store.db import session_scope
from campaigns.store.models import Campaign, Post, PostStatus

__all__ = ["Applied", "Summary", "apply_specs_once", "prepare_database", "schedule_summary"]

UPCOMING = (PostStatus.SCHEDULED.value, PostStatus.CLAIMED.value, PostStatus.SENDING.value)


def prepare_database(engine: Engine) -> str | None:
    """Create or upgrade the tables (a no-op when up to date); returns the revision."""
    migrate.upgrade(engine)
    return migrate.current_revision(engine)


@dataclass(frozen=True, slots=True)
class Summary:
    campaigns: int
    upcoming: int
    next_post: str | None = None
    next_at: datetime | None = None
    next_timezone: str = "UTC"


def schedule_summary(engine: Engine) -> Summary:
    """How many campaigns and upcoming posts the schedule holds, and which post goes out next."""
    with session_scope(engine, read_only=True) as session:
        campaigns = session.exec(
            select(func.count()).select_from(Campaign).where(col(Campaign.removed_at).is_(None))
        ).one()
        upcoming = session.exec(
            select(func.count()).select_from(Post).where(col(Post.status).in_(UPCOMING))
        ).one()
        row = session.exec(
            select(Post, Campaign.timezone)
            .join(Campaign, col(Campaign.slug) == col(Post.campaign_slug))
            .where(col(Post.status).in_(UPCOMING))
            .order_by(col(Post.scheduled_at), col(Post.id))
            .limit(1)
        ).first()
    if row is None:
        return Summary(campaigns, upcoming)
    post, timezone = row
    return Summary(campaigns, upcoming, post.id, post.scheduled_at, timezone)
