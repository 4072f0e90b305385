"""When to read what: pure functions of ``now`` (no clock, no database).

A post is read often while young and less as it ages: every ``young_every`` (15 min) for its
first ``young_for`` (6 h), every ``every`` (1 h) until ``settled_after`` (3 days), then daily,
until its campaign stops being active (``active_days`` after the campaign's last post). Hashtag
volume is counted per completed UTC hour, from the campaign's first day on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

X_SEARCH_WINDOW = timedelta(days=7)  # X's recent search and counts look back this far, no further
HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Polling:
    young_every: timedelta = timedelta(minutes=15)
    young_for: timedelta = timedelta(hours=6)
    every: timedelta = timedelta(hours=1)
    settled_after: timedelta = timedelta(days=3)
    settled_every: timedelta = timedelta(days=1)
    active_days: int = 14
    # A post is due a little before its interval is over: the beat's ticks drift by a few seconds,
    # and a cycle takes time, so a post read at 09:00:20 must not wait until 09:30 because the
    # 09:15:00 tick came 20 s "early".
    slack: timedelta = timedelta(minutes=2)

    def interval(self, age: timedelta) -> timedelta:
        """How long to wait between two reads of a post of this age."""
        if age < self.young_for:
            return self.young_every
        if age < self.settled_after:
            return self.every
        return self.settled_every

    @property
    def tick(self) -> timedelta:
        """How often the collector should run: the shortest interval."""
        return min(self.young_every, self.every)

    def late_after(self, age: timedelta) -> timedelta:
        """A read this long after the one before (or the publish) missed a window: the collector
        reads on its ticks, so a read on time comes ``interval`` after the last (the ticks' drift
        and a cycle's own time aside: half a tick of margin); one tick lost makes it a tick later."""
        return self.interval(age) + self.tick / 2


@dataclass(frozen=True, slots=True)
class ActiveWindow:
    """From the campaign's first day (00:00 UTC of its first post's date) to ``active_days`` after
    its last post."""

    start: datetime
    end: datetime

    def contains(self, now: datetime) -> bool:
        return self.start <= now <= self.end


def active_window(first_post_at: datetime, last_post_at: datetime, polling: Polling) -> ActiveWindow:
    first_day = datetime.combine(first_post_at.astimezone(UTC).date(), time(), UTC)
    return ActiveWindow(first_day, last_post_at + timedelta(days=polling.active_days))


def post_due(
    *,
    published_at: datetime,
    last_read: datetime | None,
    now: datetime,
    window: ActiveWindow,
    polling: Polling,
) -> bool:
    """Should this published post be read now?"""
    if not window.contains(now) or published_at > now:
        return False
    if last_read is None:
        return True
    interval = polling.interval(now - published_at)
    return now - last_read >= interval - polling.slack


def overdue(
    *, published_at: datetime, last_read: datetime | None, now: datetime, polling: Polling
) -> tuple[datetime, datetime] | None:
    """The window in which a post due for reading was not read (the collector did not run: workers,
    broker or database down, or a cycle far behind), when reading it ``now``; None if on time."""
    since = last_read or published_at
    if now - since <= polling.late_after(now - published_at):
        return None
    return since + polling.interval(now - published_at), now


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class HourRange:
    """Completed hour buckets [start, end) to count. ``lost_from``: from then to ``start``, hours
    that X's 7-day window no longer covers (they can never be collected: a gap), else None."""

    start: datetime
    end: datetime
    lost_from: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.start >= self.end

    def hours(self) -> list[datetime]:
        count = int((self.end - self.start) / HOUR)
        return [self.start + k * HOUR for k in range(max(count, 0))]


def hashtag_hours(*, last_bucket: datetime | None, now: datetime, window: ActiveWindow) -> HourRange:
    """The completed hours not collected yet: after ``last_bucket`` (or from the campaign's first day),
    up to the current hour (exclusive) or the end of the active window, within X's 7 days."""
    wanted_start = last_bucket + HOUR if last_bucket is not None else floor_hour(window.start)
    end = min(floor_hour(now), floor_hour(window.end) + HOUR)
    # The oldest whole hour X still covers (a minute of margin for the request's own travel).
    oldest = floor_hour(now - X_SEARCH_WINDOW + timedelta(minutes=1)) + HOUR
    if wanted_start < oldest:
        lost_end = min(oldest, end)
        return HourRange(max(oldest, wanted_start), end, wanted_start if wanted_start < lost_end else None)
    return HourRange(wanted_start, end)
