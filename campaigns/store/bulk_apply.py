"""From YAML to schedule, the writing half: carry out a diff with set-based Core statements.

New posts are one multi-row INSERT; edited, moved and restored posts one executemany UPDATE per
shape of change; cancelled posts ``UPDATE ... WHERE id IN (...)`` per chunk. Every UPDATE is
conditional on the status the diff saw (``AND status = :expected``), as ``states.transition`` is.
Before writing, the changed rows are checked (and on PostgreSQL locked) against the statuses the
diff saw, so that a post that moved meanwhile is named in the ScheduleConflict; the UPDATEs' row
counts are the guarantee all the same. Building one ORM object per post cost more than all of this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlmodel import Session

from campaigns.store.campaign_changes import CampaignKind, CampaignLike
from campaigns.store.diff import Change, Kind, ScheduleDiff, post_values
from campaigns.store.hot_path import connection_of, table_of
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.store.reconcile import chunks
from campaigns.store.states import TransitionError, is_allowed

CANCELLED_REASON = "removed from the spec"
LATE_REASON = "added after its late window had passed"

_POSTS = table_of(Post)
# A new row's columns that the spec does not set; every INSERTed row carries all of them.
_NEW_ROW_DEFAULTS: dict[str, Any] = {
    "remote_ids": [],  # the dispatcher tells a partly sent thread by remote_ids != '[]'
    "remote_url": None,
    "attempts": 0,
    "last_error": None,
    "claimed_at": None,
    "claimed_by": None,
    "next_attempt_at": None,
    "published_at": None,
}


class ScheduleConflict(RuntimeError):
    """A post changed status while its campaign was being applied; that campaign's apply was rolled back."""


def apply_diff(*, session: Session, specs: Sequence[CampaignLike], diff: ScheduleDiff, now: datetime) -> None:
    """Make the database follow ``specs`` as ``diff`` says. Does not commit.

    ``specs``: the campaigns the diff covers (stored with ``planned_at = now``). Raises
    ScheduleConflict when a post changed status since the diff was computed (roll back and compute
    it again: ``sync.apply_specs`` does), IntegrityError when a new post's row appeared meanwhile.
    """
    removed = [c.slug for c in diff.campaigns if c.kind == CampaignKind.REMOVED]
    _store_campaigns(session, specs, removed, now)
    connection = connection_of(session)  # flushes the campaign rows first: posts refer to them
    _check_unchanged(connection, [c for c in diff.posts if c.kind not in (Kind.CREATED, Kind.LEFT_ALONE)])
    _insert(connection, [c for c in diff.posts if c.kind == Kind.CREATED], now)
    cancelled: dict[PostStatus, list[str]] = defaultdict(list)
    updated: dict[tuple[PostStatus, frozenset[str]], list[dict[str, Any]]] = defaultdict(list)
    for change in diff.posts:
        if change.kind in (Kind.CREATED, Kind.LEFT_ALONE):
            continue
        assert change.status is not None and change.new_status is not None
        if change.new_status != change.status and not is_allowed(change.status, change.new_status):
            raise TransitionError(f"a post cannot go from {change.status} to {change.new_status}")
        if change.new_status == PostStatus.CANCELLED:
            cancelled[change.status].append(change.post_id)
        else:
            values = _changed_values(change)
            row = {f"v_{name}": value for name, value in values.items()}
            updated[change.status, frozenset(values)].append({"b_id": change.post_id, **row})
    for expected, ids in cancelled.items():
        _cancel(connection, expected, ids, now)
    for (expected, names), rows in updated.items():
        _update(connection, expected, sorted(names), rows, now)


def _store_campaigns(
    session: Session, specs: Sequence[CampaignLike], removed: Sequence[str], now: datetime
) -> None:
    for spec in specs:
        values: dict[str, Any] = {
            "name": spec.name,
            "source": spec.source,
            "content_hash": spec.content_hash,
            "timezone": spec.timezone,
            "spec_paused": spec.paused,  # the operator's pause is left as it is
            "late_window_seconds": int(spec.late_window.total_seconds()),
            # Who hears about it (weekly reports, alerts); test doubles of a spec may have no such keys.
            "contacts": list(getattr(spec, "contacts", ())),
            "report_to": list(getattr(spec, "report_to", ())),
            "planned_at": now,
            "removed_at": None,
            "updated_at": now,
        }
        row = session.get(Campaign, spec.slug)
        session.add(
            Campaign(slug=spec.slug, created_at=now, **values) if row is None else row.sqlmodel_update(values)
        )
    for slug in removed:
        gone = session.get(Campaign, slug)
        if gone is not None and gone.removed_at is None:
            gone.removed_at, gone.updated_at = now, now
            session.add(gone)


def _check_unchanged(connection: Connection, changes: Sequence[Change]) -> None:
    """Raise ScheduleConflict naming the first post whose status is not the one the diff saw. Locks
    the rows on PostgreSQL (on SQLite this transaction already holds the write lock)."""
    seen = {c.post_id: c.status for c in changes}
    lock = connection.dialect.name == "postgresql"
    for chunk in chunks(sorted(seen)):
        query = select(_POSTS.c.id, _POSTS.c.status).where(_POSTS.c.id.in_(chunk)).order_by(_POSTS.c.id)
        found: dict[str, str] = {
            row.id: row.status for row in connection.execute(query.with_for_update() if lock else query)
        }
        for post_id in chunk:
            if found.get(post_id) != seen[post_id]:
                raise ScheduleConflict(f"post {post_id} changed while the schedule was being applied")


def _insert(connection: Connection, created: Sequence[Change], now: datetime) -> None:
    rows = []
    for change in created:
        assert change.planned is not None and change.new_status is not None
        late = change.new_status == PostStatus.MISSED
        rows.append(
            _NEW_ROW_DEFAULTS
            | post_values(change.planned)
            | {
                "id": change.post_id,
                "campaign_slug": change.campaign,
                "channel": change.channel,
                "status": change.new_status.value,
                "status_reason": LATE_REASON if late else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        connection.execute(insert(_POSTS), rows)


def _changed_values(change: Change) -> dict[str, Any]:
    """The columns an edit, move, restore or reschedule sets (what ``states.transition`` would)."""
    assert change.status is not None and change.new_status is not None
    values: dict[str, Any] = {}
    if change.planned is not None:
        values = post_values(change.planned)
        if change.kind != Kind.EDITED:  # a new time: any backoff of the old one is moot
            values["next_attempt_at"] = None
    if change.new_status != change.status:
        values |= {"claimed_at": None, "claimed_by": None, "status_reason": None, "next_attempt_at": None}
        values["status"] = change.new_status.value
    return values


def _cancel(connection: Connection, expected: PostStatus, ids: Sequence[str], now: datetime) -> None:
    values = {
        "status": PostStatus.CANCELLED.value,
        "status_reason": CANCELLED_REASON,
        "claimed_at": None,
        "claimed_by": None,
        "updated_at": now,
    }
    for chunk in chunks(sorted(ids)):
        stmt = update(_POSTS).where(_POSTS.c.id.in_(chunk), _POSTS.c.status == expected.value).values(values)
        _expect_rows(connection.execute(stmt).rowcount, len(chunk))


def _update(
    connection: Connection,
    expected: PostStatus,
    names: Iterable[str],
    rows: list[dict[str, Any]],
    now: datetime,
) -> None:
    stmt = (
        update(_POSTS)
        .where(_POSTS.c.id == bindparam("b_id"), _POSTS.c.status == expected.value)
        .values(
            {name: bindparam(f"v_{name}", type_=_POSTS.c[name].type) for name in names} | {"updated_at": now}
        )
    )
    _expect_rows(connection.execute(stmt, rows).rowcount, len(rows))


def _expect_rows(matched: int, meant: int) -> None:
    if matched != meant:  # _check_unchanged looked first: only a bug or a lost lock gets here
        raise ScheduleConflict(f"{meant - matched} post(s) changed while the schedule was being applied")
