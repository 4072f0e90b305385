"""Yearly rules, local times and DST, as pure functions."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns import timing


def brute_force_nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    matching = [d for d in days if d.weekday() == weekday]
    return matching[n - 1] if n > 0 else matching[-1]


def test_it_puts_world_social_work_day_on_the_third_tuesday_of_march_1900_to_2100():
    rule = timing.parse_rule("third Tuesday of March")
    for year in range(1900, 2101):
        day = rule.on(year)
        assert day == brute_force_nth_weekday(year, 3, calendar.TUESDAY, 3)
        assert day.weekday() == calendar.TUESDAY and 15 <= day.day <= 21


@given(
    st.integers(1900, 2100),
    st.integers(1, 12),
    st.sampled_from(list(timing.WEEKDAYS)),
    st.sampled_from(["first", "second", "third", "fourth", "last"]),
)
def test_it_agrees_with_brute_force_for_any_nth_weekday_rule(year, month, weekday, ordinal):
    rule = timing.parse_rule(f"{ordinal} {weekday.title()} of {calendar.month_name[month]}")
    assert rule.on(year) == brute_force_nth_weekday(
        year, month, timing.WEEKDAYS[weekday], timing.ORDINALS[ordinal]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 15", date(2027, 5, 15)),
        ("15 May", date(2027, 5, 15)),
        ("August 9th", date(2027, 8, 9)),
        ("last Friday of September", date(2027, 9, 24)),
        ("first Monday of April", date(2027, 4, 5)),
    ],
)
def test_it_reads_the_yearly_rules_people_write(text, expected):
    assert timing.parse_rule(text).on(2027) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Feb 29", "does not come every year"),
        ("April 31", "April has no day 31"),
        ("fifth Monday of May", "unknown position 'fifth'"),
        ("sometime in spring", "cannot read the yearly rule"),
    ],
)
def test_it_explains_rules_it_cannot_use(text, message):
    with pytest.raises(ValueError, match=message):
        timing.parse_rule(text)


NEW_YORK = ZoneInfo("America/New_York")


def test_it_moves_a_time_in_the_spring_forward_gap_forward():
    local, warning = timing.resolve_local(date(2027, 3, 14), time(2, 30), NEW_YORK)
    assert local.astimezone(UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert (local.hour, local.minute) == (3, 30)
    assert warning and "does not exist" in warning


def test_it_takes_the_first_of_two_times_when_clocks_fall_back():
    local, warning = timing.resolve_local(date(2027, 11, 7), time(1, 30), NEW_YORK)
    assert local.astimezone(UTC) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # EDT, before the change
    assert warning and "happens twice" in warning


def test_it_gives_no_warning_on_ordinary_days():
    local, warning = timing.resolve_local(date(2027, 7, 1), time(9, 0), NEW_YORK)
    assert warning is None and local.utcoffset() is not None


@pytest.mark.parametrize(("text", "minutes"), [("6h", 360), ("90m", 90), ("1h30m", 90), ("2d", 2880)])
def test_it_reads_durations(text, minutes):
    assert timing.parse_duration(text).total_seconds() == minutes * 60


@pytest.mark.parametrize("text", ["", "6 hours", "h", "-1h"])
def test_it_refuses_unreadable_durations(text):
    with pytest.raises(ValueError, match="invalid duration"):
        timing.parse_duration(text)
