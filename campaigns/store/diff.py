"""From YAML to schedule, the pure half: planned posts + current rows -> the list of changes, by stable id.

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from campaigns.planned import PlannedPost
from campaigns.store.dispatch import is_missed, missed_after
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.store.states import HANDS_OFF

DEFAULT_HORIZON = timedelta(days=400)
DEFAULT_LATE_WINDOW = timedelta(hours=6)
EDITABLE_FIELDS = ("text", "thread", "media", "link", "account", "theme", "day", "late_window_seconds")


class CampaignLike(Protocol):
    """What the schedule needs of a loaded spec (``campaigns.spec.CampaignSpec`` has it)."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def paused(self) -> bool: ...
    @property
    def late_window(self) -> timedelta: ...


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


def edited_fields(planned: PlannedPost, row: Post) -> tuple[str, ...]:
    wanted = post_values(planned)
    return tuple(f for f in EDITABLE_FIELDS if wanted[f] != getattr(row, f))


def diff_posts(
    planned: Sequence[PlannedPost],
    rows: Sequence[Post],
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
    by_id = {row.id: row for row in rows}
    changes = [c for p in wanted.values() if (c := _compare(p, by_id.get(p.post_id), now)) is not None]
    changes += [
        _removed(row)
        for row in rows
        if row.id not in wanted
        and row.scheduled_at in window
        and _counts(row)
        and row.campaign_slug not in retired
    ]
    changes.sort(key=lambda c: (c.new_at or c.old_at or now, c.post_id))
    return changes


def _counts(row: Post) -> bool:
    return row.status != PostStatus.CANCELLED


def _compare(planned: PlannedPost, row: Post | None, now: datetime) -> Change | None:
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


def _removed(row: Post) -> Change:
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


class CampaignKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    RETURNED = "returned"  # its file was removed, and is back
    PAUSED = "paused by its spec"
    UNPAUSED = "unpaused by its spec"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class CampaignChange:
    kind: CampaignKind
    slug: str
    detail: str = ""


def diff_campaigns(specs: Sequence[CampaignLike], rows: Sequence[Campaign]) -> list[CampaignChange]:
    """What changes at campaign level: files added, removed or back, ``paused:`` flips, settings."""
    by_slug = {row.slug: row for row in rows}
    changes: list[CampaignChange] = []
    for spec in specs:
        row = by_slug.get(spec.slug)
        if row is None:
            changes.append(CampaignChange(CampaignKind.ADDED, spec.slug, spec.source))
            continue
        if row.removed_at is not None:
            changes.append(CampaignChange(CampaignKind.RETURNED, spec.slug, spec.source))
        if spec.paused != row.spec_paused:
            changes.append(
                CampaignChange(CampaignKind.PAUSED if spec.paused else CampaignKind.UNPAUSED, spec.slug)
            )
        settings = _settings_changed(spec, row)
        if settings:
            changes.append(CampaignChange(CampaignKind.UPDATED, spec.slug, settings))
    loaded = {spec.slug for spec in specs}
    changes += [
        CampaignChange(CampaignKind.REMOVED, row.slug, row.source)
        for row in rows
        if row.slug not in loaded and row.removed_at is None
    ]
    return changes


def _settings_changed(spec: CampaignLike, row: Campaign) -> str:
    pairs = [
        ("name", row.name, spec.name),
        ("timezone", row.timezone, spec.timezone),
        ("late window", row.late_window, spec.late_window),
        ("file", row.source, spec.source),
    ]
    return "; ".join(f"{what}: {old} -> {new}" for what, old, new in pairs if old != new)
