"""ISO weeks in a campaign's timezone: Monday 00:00 local to the next Monday 00:00 local, as UTC.

Pure functions; ``now`` is always passed in. A week that crosses a DST change is 167 or 169 hours long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

REPORT_HOUR = time(8, 0)  # Monday 08:00 local: the previous week's report is due
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class BadWeek(ValueError):
    """A week that cannot be read, e.g. "2027-W54"."""


@dataclass(frozen=True, slots=True)
class Week:
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=k) for k in range(7)]

    def shifted(self, weeks: int) -> Week:
        return week_of(self.monday + timedelta(weeks=weeks))

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end) of the week in UTC: Monday 00:00 local to the next Monday 00:00 local."""
        return local_midnight(self.monday, tz), local_midnight(self.monday + timedelta(days=7), tz)

    def day_bounds(self, tz: str) -> list[datetime]:
        """The 8 UTC instants that start each local day of the week, and end the last one."""
        return [local_midnight(self.monday + timedelta(days=k), tz) for k in range(8)]

    def due_at(self, tz: str) -> datetime:
        """When this week's report is due: the following Monday at 08:00 local, in UTC."""
        return local_instant(self.monday + timedelta(days=7), REPORT_HOUR, tz)


def local_instant(day: date, at: time, tz: str) -> datetime:
    """``day`` at ``at`` in ``tz``, in UTC. A time skipped by DST maps to the instant after the gap."""
    zone = ZoneInfo(tz)
    naive = datetime.combine(day, at)
    candidate = naive.replace(tzinfo=zone)
    # zoneinfo gives a skipped wall time the offset before the gap; round trip to detect it.
    if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        candidate = naive.replace(tzinfo=zone, fold=1)
    return candidate.astimezone(UTC)


def local_midnight(day: date, tz: str) -> datetime:
    return local_instant(day, time(0, 0), tz)


def week_of(day: date) -> Week:
    year, number, _ = day.isocalendar()
    return Week(year, number)


def week_at(now: datetime, tz: str) -> Week:
    """The week ``now`` falls in, in ``tz``."""
    return week_of(now.astimezone(ZoneInfo(tz)).date())


def previous_week(now: datetime, tz: str) -> Week:
    """The last complete week before ``now`` in ``tz``: the one the Monday report covers."""
    return week_at(now, tz).shifted(-1)


def parse_week(text: str) -> Week:
    """ "2027-W14" -> Week(2027, 14). Raises BadWeek with a one-line reason."""
    match = _WEEK.match(text.strip())
    if match is None:
        raise BadWeek(f"week {text!r} is not like 2027-W14 (ISO year, W, week number)")
    year, number = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise BadWeek(f"{year} has no ISO week {number}") from None
    return Week(year, number)
