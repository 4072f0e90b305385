"""From YAML to schedule, the database half: apply the specs one campaign (one transaction) at a time,
and the cheap "did any spec file change?" check that lets the service call ``sync_specs`` every few
seconds. Reading and diffing are in ``reconcile``, the set-based writes in ``bulk_apply``.

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

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaigns.problems import Problem
from campaigns.spec import CampaignSpec, load_specs, spec_files
from campaigns.store.bulk_apply import ScheduleConflict, apply_diff
from campaigns.store.db import session_scope
from campaigns.store.diff import DEFAULT_HORIZON, ScheduleDiff, Window, merge_diffs
from campaigns.store.models import Campaign
from campaigns.store.reconcile import (
    CampaignPlan,
    campaign_diff,
    campaign_plans,
    compute_diff,
    empty_folder_problem,
    plan_window,
    stored_campaigns,
)
from campaigns.store.spec_problems import clear_spec_problems, current_spec_problems, record_spec_problems

__all__ = [
    "APPLY_TRIES",
    "REPLAN_EVERY",
    "ScheduleConflict",
    "ScheduleDiff",
    "SyncResult",
    "apply_diff",
    "apply_specs",
    "compute_diff",
    "empty_folder_problem",
    "file_hashes",
    "needs_sync",
    "plan_window",
    "sync_specs",
]

log = logging.getLogger(__name__)

REPLAN_EVERY = timedelta(hours=12)  # the window slides: plan again even if no file changed
APPLY_TRIES = 3


def apply_specs(
    *, engine: Engine, specs: Sequence[CampaignSpec], now: datetime, horizon: timedelta = DEFAULT_HORIZON
) -> ScheduleDiff:
    """Diff and apply ``specs``, one transaction per campaign; a campaign whose posts move meanwhile is
    diffed and applied again from scratch.

    Returns what was applied. Raises ScheduleConflict if a campaign's schedule kept changing
    underneath (the campaigns before it stay applied: each is whole on its own).
    """
    planned, window = plan_window(specs, now, horizon)
    with session_scope(engine, read_only=True) as session:
        plans = campaign_plans(specs, planned, stored_campaigns(session))
    return merge_diffs([_apply_campaign(engine, plan, window, now) for plan in plans], window)


def _apply_campaign(engine: Engine, plan: CampaignPlan, window: Window, now: datetime) -> ScheduleDiff:
    for attempt in range(1, APPLY_TRIES + 1):
        try:
            with session_scope(engine) as session:
                diff = campaign_diff(session=session, plan=plan, window=window, now=now)
                if not diff.is_empty or plan.spec is not None:  # planned_at moves on: replanned now
                    apply_diff(session=session, specs=[plan.spec] if plan.spec else [], diff=diff, now=now)
            return diff
        except (ScheduleConflict, IntegrityError) as exc:
            log.info(
                "schedule of %s changed while applying (try %d of %d): %s",
                plan.slug,
                attempt,
                APPLY_TRIES,
                exc,
            )
    raise ScheduleConflict(f"the schedule of {plan.slug} kept changing; gave up after {APPLY_TRIES} tries")


def file_hashes(specs_dir: Path) -> dict[str, str]:
    """slug -> sha256 hex of every spec file under ``specs_dir`` (slug: the file's stem)."""
    return {file.stem: _sha256_of(file) for file, _ in spec_files([specs_dir])}


def _sha256_of(file: Path) -> str:
    # Streamed: a huge file dropped into the folder is hashed in small reads, never held whole.
    with file.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def needs_sync(*, session: Session, hashes: Mapping[str, str], now: datetime) -> bool:
    """True if a spec file was added, removed or changed, or the schedule is due to be planned again."""
    rows = session.exec(select(Campaign).where(col(Campaign.removed_at).is_(None))).all()
    if {row.slug: row.content_hash for row in rows} != dict(hashes):
        return True
    return any(now - row.planned_at >= REPLAN_EVERY for row in rows)


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
