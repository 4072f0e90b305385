"""Pure date and time rules: yearly event rules, local posting times, DST gaps and overlaps.

Nothing here reads the clock; callers pass dates (and ``now`` where it matters).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "last": -1,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}

_NTH = re.compile(r"^\s*(\w+)\s+(\w+)\s+(?:of|in)\s+(\w+)\s*$", re.IGNORECASE)
_MONTH_DAY = re.compile(r"^\s*([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?\s*$", re.IGNORECASE)
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\s*$", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)

RULE_EXAMPLES = '"third Tuesday of March", "May 15", "last Friday of September"'


@dataclass(frozen=True, slots=True)
class YearlyRule:
    """A day that comes back every year: a fixed date, or the n-th (or last) weekday of a month."""

    month: int
    day: int | None = None  # fixed date
    ordinal: int | None = None  # 1..4, or -1 for "last"
    weekday: int | None = None  # Monday == 0

    def on(self, year: int) -> date:
        if self.day is not None:
            return date(year, self.month, self.day)
        assert self.ordinal is not None and self.weekday is not None
        if self.ordinal > 0:
            first = date(year, self.month, 1)
            offset = (self.weekday - first.weekday()) % 7
            return first + timedelta(days=offset + 7 * (self.ordinal - 1))
        last = date(year, self.month, calendar.monthrange(year, self.month)[1])
        return last - timedelta(days=(last.weekday() - self.weekday) % 7)


def parse_rule(text: str) -> YearlyRule:
    """Parse a yearly rule. Raises ValueError with a message meant for the person who wrote it."""
    nth = _NTH.match(text)
    if nth:
        ordinal_word, weekday_word, month_word = (g.lower() for g in nth.groups())
        if ordinal_word not in ORDINALS:
            raise ValueError(f"unknown position {ordinal_word!r}: use first, second, third, fourth or last")
        if weekday_word not in WEEKDAYS:
            raise ValueError(f"unknown weekday {weekday_word!r}")
        return YearlyRule(_month(month_word), ordinal=ORDINALS[ordinal_word], weekday=WEEKDAYS[weekday_word])
    fixed = _MONTH_DAY.match(text)
    day_month = _DAY_MONTH.match(text)
    if fixed or day_month:
        month_word, day_text = fixed.groups() if fixed else reversed(day_month.groups())  # type: ignore[union-attr]
        month, day = _month(month_word), int(day_text)
        if month == 2 and day == 29:
            raise ValueError("February 29 does not come every year: pick another day")
        if not 1 <= day <= calendar.monthrange(2001, month)[1]:
            raise ValueError(f"{calendar.month_name[month]} has no day {day}")
        return YearlyRule(month, day=day)
    raise ValueError(f"cannot read the yearly rule {text!r}: write it like {RULE_EXAMPLES}")


def _month(word: str) -> int:
    month = MONTHS.get(word.lower())
    if month is None:
        raise ValueError(f"unknown month {word!r}")
    return month


@lru_cache(maxsize=4096)  # a campaign repeats a few times thousands of times
def parse_time(text: str) -> time:
    """``"09:00"`` -> 09:00. Raises ValueError."""
    match = _TIME.match(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(
            f'invalid time {text!r}: write it as HH:MM on a 24-hour clock, in quotes, e.g. "13:30"'
        )
    return time(int(match[1]), int(match[2]))


def parse_date(text: str) -> date:
    """``"2027-04-05"`` -> date. Raises ValueError naming what is wrong."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        reason = str(exc).removeprefix("Invalid isoformat string: ")
        hint = reason if "range" in reason or "must be" in reason else "write it as YYYY-MM-DD"
        raise ValueError(f"invalid date {text!r}: {hint}") from None


def parse_duration(text: str) -> timedelta:
    """``"6h"``, ``"90m"``, ``"1h30m"``, ``"2d"`` -> timedelta. Raises ValueError."""
    match = _DURATION.match(text)
    if not match or not any(match.groups()):
        raise ValueError(f"invalid duration {text!r}: write it like 6h, 90m, 1h30m or 2d")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


@lru_cache(maxsize=4096)  # datetime.replace is slow; a campaign uses a few times over and over
def _second_fold(at: time) -> time:
    """``at``, a naive time with fold 0, as the second of two identical wall times.

    Only for naive fold-0 times: time equality ignores fold, so a cache shared by both folds
    would hand one fold's answer to the other.
    """
    return at.replace(fold=1)


def resolve_local(day: date, at: time, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """The instant of local ``day`` ``at`` in ``tz``, and a warning if the clock skips or repeats it.

    The rule (documented for comms staff): a time that does not exist because clocks spring forward
    is moved forward by the length of the gap (02:30 becomes 03:30); a time that happens twice
    because clocks fall back is taken the first time (before the change).
    """
    local = datetime.combine(day, at, tzinfo=tz)  # fold=0: the earlier of two, the pre-gap offset
    if (
        at.tzinfo is None
        and not at.fold
        and local.utcoffset() == datetime.combine(day, _second_fold(at), tzinfo=tz).utcoffset()
    ):
        return local, None  # neither in a gap nor in an overlap: zoneinfo's offsets differ by fold there
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        warning = (
            f"{at:%H:%M} does not exist on {day} in {tz.key} (clocks spring forward); "
            f"it will post at {round_trip:%H:%M} local time"
        )
        return round_trip, warning
    if local.utcoffset() != local.replace(fold=1).utcoffset():
        warning = (
            f"{at:%H:%M} happens twice on {day} in {tz.key} (clocks fall back); "
            f"it will post the first time, at {local.astimezone(UTC):%H:%M} UTC"
        )
        return local, warning
    return local, None
