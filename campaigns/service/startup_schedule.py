"""What ``campaigns run`` does to the schedule before it starts the workers: migrate, apply, summarise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import col, select

from campaigns.problems import Problem
from campaigns.store import migrate
from campaigns.store.db import session_scope
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.store.sync import ScheduleConflict, sync_specs

UPCOMING = (PostStatus.SCHEDULED.value, PostStatus.CLAIMED.value, PostStatus.SENDING.value)


def prepare_database(engine: Engine) -> str | None:
    """Create or upgrade the tables (a no-op when up to date); returns the revision."""
    migrate.upgrade(engine)
    return migrate.current_revision(engine)


@dataclass(frozen=True, slots=True)
class Applied:
    """How applying the specs went: ``applied``, ``unchanged`` or ``invalid`` (nothing applied)."""

    outcome: str
    problems: list[Problem]
    changes: int = 0

    @property
    def lines(self) -> list[str]:
        """What to print: every problem as ``path:line:col: level: message``, then the verdict."""
        shown = [str(problem) for problem in self.problems]
        if self.outcome == "invalid":
            errors = sum(1 for p in self.problems if p.is_error)
            shown.append(
                f"specs not applied ({errors} error{'s' if errors != 1 else ''}): "
                "the last valid schedule stays in force; fix the file(s) and they are applied within seconds"
            )
        elif self.outcome == "conflict":
            shown.append("specs not applied: the schedule kept changing; the beat tries again within seconds")
        else:
            shown.append(f"specs applied: {self.changes} post change{'s' if self.changes != 1 else ''}")
        return shown


def apply_specs_once(*, engine: Engine, specs_dir: Path, now: datetime) -> Applied:
    """Apply ``specs_dir`` now. An invalid spec changes nothing. Raises FileNotFoundError if it is missing."""
    try:
        result = sync_specs(engine=engine, specs_dir=specs_dir, now=now, force=True)
    except ScheduleConflict:
        return Applied("conflict", [])
    changes = len(result.diff.posts) if result.diff is not None else 0
    return Applied(result.outcome, list(result.problems), changes)


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
