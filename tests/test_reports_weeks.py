"""Week maths in a campaign's timezone: Monday 00:00 to Monday 00:00 local, DST included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.reports.weeks import BadWeek, Week, parse_week, previous_week, week_at, week_of

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
]
instants = st.datetimes(
    min_value=datetime(2000, 1, 3), max_value=datetime(2090, 12, 1), timezones=st.just(UTC)
)


def test_it_gives_new_york_week_14_of_2027_in_utc():
    start, end = Week(2027, 14).bounds("America/New_York")
    assert start == datetime(2027, 4, 5, 4, 0, tzinfo=UTC)  # EDT, UTC-4
    assert end == datetime(2027, 4, 12, 4, 0, tzinfo=UTC)


def test_a_week_with_the_spring_change_is_an_hour_shorter():
    start, end = Week(2027, 10).bounds("America/New_York")  # DST starts Sunday 14 March 2027
    assert end - start == timedelta(hours=167)


def test_the_report_is_due_on_the_next_monday_at_eight_local():
    assert Week(2027, 14).due_at("Europe/London") == datetime(2027, 4, 12, 7, 0, tzinfo=UTC)


def test_sunday_night_local_is_still_last_week_although_utc_says_monday():
    now = datetime(2027, 4, 12, 2, 0, tzinfo=UTC)  # Sunday 22:00 in New York
    assert week_at(now, "America/New_York") == Week(2027, 14)
    assert week_at(now, "UTC") == Week(2027, 15)


def test_it_reads_iso_weeks_and_refuses_nonsense():
    assert parse_week("2027-W14") == Week(2027, 14)
    assert str(parse_week("2026-W53")) == "2026-W53"
    with pytest.raises(BadWeek, match="2027 has no ISO week 53"):
        parse_week("2027-W53")
    with pytest.raises(BadWeek, match="not like 2027-W14"):
        parse_week("2027-14")


@given(instants, st.sampled_from(ZONES))
def test_weeks_tile_time_without_gaps_or_overlaps(now, tz):
    week = week_at(now, tz)
    start, end = week.bounds(tz)
    assert start <= now < end
    assert week.shifted(1).bounds(tz)[0] == end
    assert timedelta(hours=166) <= end - start <= timedelta(hours=170)


@given(instants, st.sampled_from(ZONES))
def test_a_week_starts_on_a_local_monday_at_midnight_or_just_after_a_gap(now, tz):
    start, _ = week_at(now, tz).bounds(tz)
    local = start.astimezone(ZoneInfo(tz))
    assert local.weekday() == 0
    assert local.hour == 0 or (local.hour == 1 and local.minute == 0)  # midnight skipped by DST


@given(instants, st.sampled_from(ZONES))
def test_the_previous_week_is_over_before_now_and_due_after_it_ends(now, tz):
    week = previous_week(now, tz)
    _start, end = week.bounds(tz)
    assert end <= now
    assert end < week.due_at(tz) <= end + timedelta(hours=9)
    assert week_of(week.monday) == week and len({d.isocalendar()[1] for d in week.days}) == 1


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_day_bounds_run_through_the_week_in_order(day):
    bounds = week_of(day).day_bounds("America/Santiago")
    assert bounds == sorted(bounds) and len(set(bounds)) == 8
