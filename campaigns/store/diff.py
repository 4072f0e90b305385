"""From YAML to schedule, the pure half: planned posts + current rows -> the list of changes, by stable id.

Which row is which planned post (``pair_rows``), in this order:

1. a post whose spec gives an ``id:`` and the row with that id;
2. the row of the same campaign, channel and day with the same text (every part of a thread):
   what it says is what makes a post this post, whatever its id, so a post whose time changed
   (a new derived id) is moved under its old id, and a published post is never sent again because
   its id changed (an edit around it, or rows stored under an older id scheme);
3. the row with the planned id;
4. the one row of the same campaign and channel, on another day, with the same text, when exactly
   one such row and one such post are left (a post moved to another day).

A row paired with a post keeps its own id. A new post whose id a row already holds gets a
suffix from its text (``~1a2b3c``), so that it never takes over another post's row.

Rules (also the help text of ``campaigns diff``):

- A planned post with no row is created (as ``missed`` if its late window has already passed).
- A scheduled or claimed post whose time or content differs is moved and/or edited; a claimed one
  is released back to ``scheduled``, so the new version is what goes out.
- A failed or missed post that is moved or edited is rescheduled, unless it is still too late.
- A cancelled post that is back in the spec is restored.
- A post no longer planned, whose time is inside the window, is cancelled. Posts outside the window
  are history (or not planned yet) and are left alone.
- ``sending``, ``unconfirmed`` and ``published`` posts are never touched: a change in the spec, or
  its removal, is reported and left as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from campaigns.planned import PlannedPost
from campaigns.store.campaign_changes import CampaignChange
from campaigns.store.due_posts import is_missed, missed_after
from campaigns.store.pairing import PairedRow, free_id, pair_rows
from campaigns.store.post_status import HANDS_OFF, PostStatus

DEFAULT_HORIZON = timedelta(days=400)
DEFAULT_LATE_WINDOW = timedelta(hours=6)
EDITABLE_FIELDS = ("text", "thread", "media", "link", "account", "theme", "day", "late_window_seconds")


class StoredPost(PairedRow, Protocol):
    """What the diff reads of a stored post: a ``Post``, or a Core row of the posts table (what
    pairing reads, and when it is scheduled)."""

    @property
    def scheduled_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Window:
    """Rows scheduled in [start, end] are fully planned: one missing from the plan was removed."""

    start: datetime
    end: datetime

    def __contains__(self, when: datetime) -> bool:
        return self.start <= when <= self.end


def planning_window(
    now: datetime, late_windows: Iterable[timedelta], horizon: timedelta = DEFAULT_HORIZON
) -> Window:
    """[now - the longest late window, now + horizon]: what can still go out, and what is coming."""
    return Window(now - max(late_windows, default=DEFAULT_LATE_WINDOW), now + horizon)


class Kind(StrEnum):
    CREATED = "created"
    MOVED = "moved"  # possibly edited too: see Change.fields
    EDITED = "edited"
    RESTORED = "restored"
    CANCELLED = "cancelled"
    LEFT_ALONE = "left alone"  # changed or removed in the spec, but already (being) published


@dataclass(frozen=True, slots=True)
class Change:
    kind: Kind
    post_id: str
    campaign: str  # slug
    channel: str
    status: PostStatus | None  # the row's status now; None for a new post
    old_at: datetime | None = None
    new_at: datetime | None = None
    fields: tuple[str, ...] = ()  # edited fields
    new_status: PostStatus | None = None  # what apply leaves it in; None: unchanged
    planned: PlannedPost | None = None
    note: str = ""


def post_values(planned: PlannedPost) -> dict[str, Any]:
    """The columns of a post row that come from the spec."""
    return {
        "scheduled_at": planned.scheduled_at,
        "missed_after": missed_after(planned.scheduled_at, planned.late_window),
        "late_window_seconds": int(planned.late_window.total_seconds()),
        "text": planned.text,
        "thread": list(planned.thread),
        "media": [{"path": str(m.path), "alt": m.alt} for m in planned.media],
        "link": planned.link,
        "account": planned.account,
        "theme": planned.theme,
        "day": planned.day,
    }


def edited_fields(planned: PlannedPost, row: StoredPost) -> tuple[str, ...]:
    wanted = post_values(planned)
    return tuple(f for f in EDITABLE_FIELDS if wanted[f] != getattr(row, f))


def diff_posts(
    planned: Sequence[PlannedPost],
    rows: Sequence[StoredPost],
    *,
    window: Window,
    now: datetime,
    retired: Collection[str] = (),
) -> list[Change]:
    """Every change that would make ``rows`` follow ``planned``, soonest first.

    ``planned`` outside ``window`` is ignored; ``rows`` must hold every row of a planned id and every
    row scheduled inside ``window``. Raises ValueError if two planned posts share an id.
    ``retired``: campaigns whose spec is gone and which an apply has already retired: their rows
    are history (published, or cancelled by that apply), not changes, and are not listed again.
    """
    wanted: dict[str, PlannedPost] = {}
    for post in planned:
        if post.scheduled_at in window:
            if post.post_id in wanted:
                raise ValueError(f"two planned posts have the id {post.post_id}")
            wanted[post.post_id] = post
    pairs = pair_rows(list(wanted.values()), rows)
    row_ids = {row.id for row in rows}
    taken = row_ids | set(wanted)
    changes: list[Change] = []
    for post in wanted.values():
        row = pairs.get(post.post_id)
        if row is not None:
            post = replace(post, post_id=row.id)  # the row keeps its id
        elif post.post_id in row_ids:  # held by a row that is another post: never take it over
            post = replace(post, post_id=free_id(post, taken))
            taken.add(post.post_id)
        change = _compare(post, row, now)
        if change is not None:
            changes.append(change)
    paired = {row.id for row in pairs.values()}
    changes += [
        _removed(row)
        for row in rows
        if row.id not in paired
        and row.scheduled_at in window
        and _counts(row)
        and row.campaign_slug not in retired
    ]
    changes.sort(key=lambda c: _order(c, now))
    return changes


def _order(change: Change, fallback: datetime) -> tuple[datetime, str]:
    return change.new_at or change.old_at or fallback, change.post_id


def _counts(row: StoredPost) -> bool:
    return row.status != PostStatus.CANCELLED


def _compare(planned: PlannedPost, row: StoredPost | None, now: datetime) -> Change | None:
    new_at = planned.scheduled_at
    pid, slug, channel = planned.post_id, planned.campaign_slug, planned.channel
    too_late = is_missed(deadline=missed_after(new_at, planned.late_window), now=now)
    if row is None:
        note = "already past its late window: recorded as missed" if too_late else ""
        new_status = PostStatus.MISSED if too_late else PostStatus.SCHEDULED
        return Change(Kind.CREATED, pid, slug, channel, None, None, new_at, (), new_status, planned, note)
    status = PostStatus(row.status)
    fields = edited_fields(planned, row)
    moved = new_at != row.scheduled_at
    if status != PostStatus.CANCELLED and not moved and not fields:
        return None
    if status in HANDS_OFF:
        note = f"{status} post {pid} changed in the spec; left as {status}"
        return Change(
            Kind.LEFT_ALONE, pid, slug, channel, status, row.scheduled_at, new_at, fields, None, planned, note
        )
    kind = Kind.RESTORED if status == PostStatus.CANCELLED else Kind.MOVED if moved else Kind.EDITED
    # A failed or missed post stays so when the new version would only be missed again. A restored
    # one goes back to scheduled regardless (cancelled -> missed is no transition): the dispatcher's
    # next tick marks it missed if it is too late.
    stays = status in (PostStatus.FAILED, PostStatus.MISSED) and too_late
    new_status = status if stays else PostStatus.SCHEDULED
    return Change(kind, pid, slug, channel, status, row.scheduled_at, new_at, fields, new_status, planned)


def _removed(row: StoredPost) -> Change:
    status = PostStatus(row.status)
    if status in HANDS_OFF:
        note = f"{status} post {row.id} removed from the spec; left as {status}"
        return Change(
            Kind.LEFT_ALONE, row.id, row.campaign_slug, row.channel, status, row.scheduled_at, note=note
        )
    cancelled = PostStatus.CANCELLED
    return Change(
        Kind.CANCELLED, row.id, row.campaign_slug, row.channel, status, row.scheduled_at, new_status=cancelled
    )


@dataclass(frozen=True, slots=True)
class ScheduleDiff:
    campaigns: list[CampaignChange]
    posts: list[Change]
    window: Window

    @property
    def is_empty(self) -> bool:
        return not self.campaigns and not self.posts


def merge_diffs(diffs: Sequence[ScheduleDiff], window: Window) -> ScheduleDiff:
    """The diffs of several campaigns as one: campaign changes in order, post changes soonest first."""
    posts = [change for diff in diffs for change in diff.posts]
    posts.sort(key=lambda c: _order(c, window.start))
    return ScheduleDiff([change for diff in diffs for change in diff.campaigns], posts, window)
