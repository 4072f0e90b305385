"""From YAML to schedule, the reading half: plan the window, then read and diff one campaign at a time.

The work is grouped by campaign because ``sync.apply_specs`` applies each campaign in its own
transaction: a large change never holds SQLite's write lock for long, and a post that moves under one
campaign's apply retries that campaign only. Stored rows are read as Core rows, and only the columns
the diff compares: building one ORM object per post cost more than the whole diff. Everything here
is read on the Core tables (``campaigns.store.core_tables``), from a session or a Core connection:
`campaigns diff` loads no SQLModel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from campaigns.plan import plan_posts
from campaigns.planned import PlannedPost
from campaigns.problems import Problem
from campaigns.spec import CampaignSpec
from campaigns.store.campaign_changes import CampaignLike, diff_campaigns
from campaigns.store.core_tables import CAMPAIGNS as _CAMPAIGNS
from campaigns.store.core_tables import POSTS as _POSTS
from campaigns.store.diff import (
    DEFAULT_HORIZON,
    EDITABLE_FIELDS,
    ScheduleDiff,
    Window,
    diff_posts,
    merge_diffs,
    planning_window,
)
from campaigns.store.hot_path import connection_of

if TYPE_CHECKING:
    from sqlmodel import Session

CHUNK = 500  # ids per IN (...): well under SQLite's and PostgreSQL's limits on bound parameters

_KEYS = ("id", "campaign_slug", "channel", "status", "scheduled_at")
_COMPARED = [_POSTS.c[name] for name in (*_KEYS, *EDITABLE_FIELDS)]


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def plan_window(
    specs: Sequence[CampaignSpec], now: datetime, horizon: timedelta = DEFAULT_HORIZON
) -> tuple[list[PlannedPost], Window]:
    """Plan every post that can still go out or is coming within ``horizon``, and that window.

    A post may have a longer late window than its campaign; then the window grows to cover it.
    """
    late_windows = [s.late_window for s in specs]
    while True:
        window = planning_window(now, late_windows, horizon)
        # Local dates can be a day either side of the UTC date: plan a day more on each side.
        start, end = (window.start - timedelta(days=1)).date(), (window.end + timedelta(days=1)).date()
        planned = plan_posts(specs, start, end)
        longer = [p.late_window for p in planned if p.late_window > now - window.start]
        if not longer:
            return planned, window
        late_windows += longer


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """One campaign's share of a change: its spec (None once its file is gone) and its planned posts."""

    slug: str
    spec: CampaignLike | None
    planned: list[PlannedPost]


def campaign_plans(
    specs: Sequence[CampaignLike], planned: Sequence[PlannedPost], stored: Iterable[str]
) -> list[CampaignPlan]:
    """The specs' campaigns in order, then every stored campaign whose spec is gone (its posts in the
    window are cancelled)."""
    by_slug: dict[str, list[PlannedPost]] = {spec.slug: [] for spec in specs}
    for post in planned:
        by_slug[post.campaign_slug].append(post)
    plans = [CampaignPlan(spec.slug, spec, by_slug[spec.slug]) for spec in specs]
    return plans + [CampaignPlan(slug, None, []) for slug in sorted(set(stored) - by_slug.keys())]


def stored_campaigns(session: Session | Connection) -> list[str]:
    return list(connection_of(session).execute(select(_CAMPAIGNS.c.slug)).scalars())


def empty_folder_problem(*, session: Session | Connection, specs_dir: Path, files: int) -> Problem | None:
    """A problem if ``specs_dir`` holds no spec at all while campaigns are scheduled.

    An unmounted volume or a wrong path looks exactly like "every campaign was deleted": applying
    it would cancel every scheduled post. Removing the last campaign needs ``campaigns apply
    --allow-empty``.
    """
    if files:
        return None
    current = select(_CAMPAIGNS.c.slug).where(_CAMPAIGNS.c.removed_at.is_(None)).limit(1)
    if connection_of(session).execute(current).first() is None:
        return None
    message = "no campaign specs found: refusing to cancel every campaign (is this the right folder?)"
    return Problem(str(specs_dir), 1, 1, "error", message)


def campaign_rows(connection: Connection, plan: CampaignPlan, window: Window) -> list[Row[Any]]:
    """The campaign's rows scheduled inside ``window``, and the row of every planned id (a post
    moved into the window from outside it has its row outside)."""
    in_window = select(*_COMPARED).where(
        _POSTS.c.campaign_slug == plan.slug, _POSTS.c.scheduled_at.between(window.start, window.end)
    )
    rows = {row.id: row for row in connection.execute(in_window).all()}
    others = sorted({p.post_id for p in plan.planned} - rows.keys())
    for chunk in chunks(others):
        rows.update(
            (row.id, row) for row in connection.execute(select(*_COMPARED).where(_POSTS.c.id.in_(chunk)))
        )
    return list(rows.values())


def campaign_diff(
    *, session: Session | Connection, plan: CampaignPlan, window: Window, now: datetime
) -> ScheduleDiff:
    """What applying one campaign's plan at ``now`` would change. Reads only."""
    connection = connection_of(session)
    row = connection.execute(select(_CAMPAIGNS).where(_CAMPAIGNS.c.slug == plan.slug)).first()
    changes = diff_campaigns([plan.spec] if plan.spec else [], [row] if row else [])
    rows = campaign_rows(connection, plan, window)
    # A campaign whose spec is gone and which an apply already retired is history, not a change.
    retired = {plan.slug} if plan.spec is None and row is not None and row.removed_at is not None else set()
    posts = diff_posts(plan.planned, rows, window=window, now=now, retired=retired)
    return ScheduleDiff(changes, posts, window)


def compute_diff(
    *,
    session: Session | Connection,
    specs: Sequence[CampaignSpec],
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
) -> ScheduleDiff:
    """What applying ``specs`` at ``now`` would change, every campaign at once. Reads only."""
    planned, window = plan_window(specs, now, horizon)
    plans = campaign_plans(specs, planned, stored_campaigns(session))
    diffs = [campaign_diff(session=session, plan=plan, window=window, now=now) for plan in plans]
    return merge_diffs(diffs, window)
