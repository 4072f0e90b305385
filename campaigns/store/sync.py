"""From YAML to schedule, the database half: read rows, diff, apply in one transaction; and the cheap
"did any spec file change?" check that lets the service call ``sync_specs`` every few seconds.

An invalid spec never reaches the database: when ``load_specs`` reports an error nothing is applied
and the last valid schedule stays in force.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaigns.plan import plan_posts
from campaigns.planned import PlannedPost
from campaigns.problems import Problem
from campaigns.spec import CampaignSpec, load_specs, spec_files
from campaigns.store.db import session_scope
from campaigns.store.diff import (
    DEFAULT_HORIZON,
    CampaignChange,
    CampaignLike,
    Change,
    Kind,
    Window,
    diff_campaigns,
    diff_posts,
    planning_window,
    post_values,
)
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.store.spec_problems import clear_spec_problems, current_spec_problems, record_spec_problems
from campaigns.store.states import transition, update_if_status

log = logging.getLogger(__name__)

REPLAN_EVERY = timedelta(hours=12)  # the window slides: plan again even if no file changed
APPLY_TRIES = 3
_CHUNK = 500


class ScheduleConflict(RuntimeError):
    """A post changed status while the schedule was being applied; the whole apply was rolled back."""


@dataclass(frozen=True, slots=True)
class ScheduleDiff:
    campaigns: list[CampaignChange]
    posts: list[Change]
    window: Window

    @property
    def is_empty(self) -> bool:
        return not self.campaigns and not self.posts


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


def current_rows(*, session: Session, ids: Sequence[str], window: Window) -> list[Post]:
    """Every row with one of ``ids`` and every row scheduled inside ``window``."""
    rows: dict[str, Post] = {}
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), _CHUNK):
        chunk = ordered[i : i + _CHUNK]
        rows.update((p.id, p) for p in session.exec(select(Post).where(col(Post.id).in_(chunk))))
    in_window = select(Post).where(
        col(Post.scheduled_at) >= window.start, col(Post.scheduled_at) <= window.end
    )
    rows.update((p.id, p) for p in session.exec(in_window))
    return list(rows.values())


def compute_diff(
    *, session: Session, specs: Sequence[CampaignSpec], now: datetime, horizon: timedelta = DEFAULT_HORIZON
) -> ScheduleDiff:
    """What applying ``specs`` at ``now`` would change. Reads only."""
    planned, window = plan_window(specs, now, horizon)
    rows = current_rows(session=session, ids=[p.post_id for p in planned], window=window)
    campaigns = session.exec(select(Campaign)).all()
    loaded = {spec.slug for spec in specs}
    retired = {c.slug for c in campaigns if c.removed_at is not None and c.slug not in loaded}
    return ScheduleDiff(
        campaigns=diff_campaigns(specs, campaigns),
        posts=diff_posts(planned, rows, window=window, now=now, retired=retired),
        window=window,
    )


def apply_diff(*, session: Session, specs: Sequence[CampaignLike], diff: ScheduleDiff, now: datetime) -> None:
    """Make the database follow ``specs`` as ``diff`` says. Does not commit.

    Raises ScheduleConflict when a post changed status since the diff was computed (roll back and
    compute it again: ``apply_specs`` does).
    """
    _store_campaigns(session, specs, now)
    session.flush()  # posts refer to their campaign row
    for change in diff.posts:
        if not _apply_change(session, change, now):
            raise ScheduleConflict(f"post {change.post_id} changed while the schedule was being applied")


def _store_campaigns(session: Session, specs: Sequence[CampaignLike], now: datetime) -> None:
    rows = {row.slug: row for row in session.exec(select(Campaign)).all()}
    for spec in specs:
        values: dict[str, Any] = {
            "name": spec.name,
            "source": spec.source,
            "content_hash": spec.content_hash,
            "timezone": spec.timezone,
            "spec_paused": spec.paused,  # the operator's pause is left as it is
            "late_window_seconds": int(spec.late_window.total_seconds()),
            "planned_at": now,
            "removed_at": None,
            "updated_at": now,
        }
        row = rows.get(spec.slug)
        if row is None:
            session.add(Campaign(slug=spec.slug, created_at=now, **values))
        else:
            session.add(row.sqlmodel_update(values))
    loaded = {spec.slug for spec in specs}
    for row in rows.values():
        if row.slug not in loaded and row.removed_at is None:
            row.removed_at, row.updated_at = now, now
            session.add(row)


def _apply_change(session: Session, change: Change, now: datetime) -> bool:
    """Carry out one change. False if the post is no longer in the status the diff saw."""
    if change.kind == Kind.LEFT_ALONE:
        return True
    if change.kind == Kind.CREATED:
        assert change.planned is not None and change.new_status is not None
        late = change.new_status == PostStatus.MISSED
        post = Post(
            id=change.post_id,
            campaign_slug=change.campaign,
            channel=change.channel,
            status=change.new_status.value,
            status_reason="added after its late window had passed" if late else None,
            created_at=now,
            updated_at=now,
            **post_values(change.planned),
        )
        session.add(post)
        return True
    assert change.status is not None and change.new_status is not None
    values: dict[str, Any] = {}
    if change.planned is not None:
        values = post_values(change.planned)
        if change.kind != Kind.EDITED:  # a new time: any backoff of the old one is moot
            values["next_attempt_at"] = None
    if change.new_status == change.status:
        return update_if_status(
            session=session, post_id=change.post_id, expected=change.status, now=now, values=values
        )
    values |= {"claimed_at": None, "claimed_by": None, "status_reason": None}
    if change.new_status == PostStatus.CANCELLED:
        values["status_reason"] = "removed from the spec"
    else:
        values["next_attempt_at"] = None
    return transition(
        session=session,
        post_id=change.post_id,
        expected=change.status,
        to=change.new_status,
        now=now,
        values=values,
    )


def apply_specs(
    *, engine: Engine, specs: Sequence[CampaignSpec], now: datetime, horizon: timedelta = DEFAULT_HORIZON
) -> ScheduleDiff:
    """Diff and apply ``specs`` in one transaction; retried from scratch if a post moves meanwhile.

    Returns what was applied. Raises ScheduleConflict if the schedule kept changing underneath.
    """
    for attempt in range(1, APPLY_TRIES + 1):
        try:
            with session_scope(engine) as session:
                diff = compute_diff(session=session, specs=specs, now=now, horizon=horizon)
                apply_diff(session=session, specs=specs, diff=diff, now=now)
            return diff
        except (ScheduleConflict, IntegrityError) as exc:
            log.info("schedule changed while applying (try %d of %d): %s", attempt, APPLY_TRIES, exc)
    raise ScheduleConflict(f"the schedule kept changing; gave up after {APPLY_TRIES} tries")


def file_hashes(specs_dir: Path) -> dict[str, str]:
    """slug -> sha256 hex of every spec file under ``specs_dir`` (slug: the file's stem)."""
    return {file.stem: hashlib.sha256(file.read_bytes()).hexdigest() for file, _ in spec_files([specs_dir])}


def needs_sync(*, session: Session, hashes: Mapping[str, str], now: datetime) -> bool:
    """True if a spec file was added, removed or changed, or the schedule is due to be planned again."""
    rows = session.exec(select(Campaign).where(col(Campaign.removed_at).is_(None))).all()
    if {row.slug: row.content_hash for row in rows} != dict(hashes):
        return True
    return any(now - row.planned_at >= REPLAN_EVERY for row in rows)


def empty_folder_problem(*, session: Session, specs_dir: Path, files: int) -> Problem | None:
    """A problem if ``specs_dir`` holds no spec at all while campaigns are scheduled.

    An unmounted volume or a wrong path looks exactly like "every campaign was deleted": applying
    it would cancel every scheduled post. Removing the last campaign needs ``campaigns apply
    --allow-empty``.
    """
    if files:
        return None
    active = session.exec(select(Campaign.slug).where(col(Campaign.removed_at).is_(None))).first()
    if active is None:
        return None
    message = "no campaign specs found: refusing to cancel every campaign (is this the right folder?)"
    return Problem(str(specs_dir), 1, 1, "error", message)


@dataclass(frozen=True, slots=True)
class SyncResult:
    outcome: str  # "unchanged" | "invalid" | "applied"
    hashes: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    diff: ScheduleDiff | None = None


def sync_specs(
    *,
    engine: Engine,
    specs_dir: Path,
    now: datetime,
    force: bool = False,
    known_invalid: Mapping[str, str] | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
) -> SyncResult:
    """Bring the schedule in line with ``specs_dir`` if anything changed; cheap when nothing did.

    ``known_invalid``: the hashes of a previous "invalid" result; while the files are the same,
    they are not loaded (and their problems not reported) again. Never raises for a bad spec or
    an emptied folder (both are "invalid"); raises FileNotFoundError if ``specs_dir`` is missing,
    ScheduleConflict if the schedule kept changing while being applied.
    """
    hashes = file_hashes(specs_dir)
    if not force and known_invalid is not None and hashes == dict(known_invalid):
        return SyncResult("invalid", hashes)
    with session_scope(engine, read_only=True) as session:
        if not force and not needs_sync(session=session, hashes=hashes, now=now):
            # The files in force are the folder's: any recorded problem is over. Read first: this
            # runs every tick in every process, and on SQLite a write transaction locks everyone.
            if current_spec_problems(session=session) is not None:
                _clear_problems(engine, now)
            return SyncResult("unchanged", hashes)
        empty = empty_folder_problem(session=session, specs_dir=specs_dir, files=len(hashes))
    if empty is not None:
        _report_problems(engine, hashes, [empty], now, "specs not applied: %s")
        return SyncResult("invalid", hashes, [empty])
    loaded = load_specs([specs_dir], today=now.astimezone(UTC).date())
    if not loaded.ok:
        _report_problems(engine, hashes, loaded.errors, now, "spec not applied: %s")
        return SyncResult("invalid", hashes, loaded.problems)
    diff = apply_specs(engine=engine, specs=loaded.campaigns, now=now, horizon=horizon)
    log.info("schedule synced: %d campaign and %d post changes", len(diff.campaigns), len(diff.posts))
    _clear_problems(engine, now)
    return SyncResult("applied", hashes, loaded.problems, diff)


def _report_problems(
    engine: Engine, hashes: Mapping[str, str], problems: Sequence[Problem], now: datetime, template: str
) -> None:
    """Record the problems for every process to see; log them only if this process recorded them
    first (each worker process syncs, and each would otherwise log the same lines)."""
    with session_scope(engine) as session:
        first = record_spec_problems(
            session=session, hashes=hashes, problems=[str(p) for p in problems], now=now
        )
    if first:
        for problem in problems:
            log.warning(template, problem)


def _clear_problems(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        cleared = clear_spec_problems(session=session, now=now)
    if cleared:
        log.info("campaign specs valid again: the schedule follows the spec files")
