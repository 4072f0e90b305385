"""The report's numbers, from aggregated samples: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from campaigns.reports import figures
from campaigns.reports.figures import BUCKETS, HourRate, carry_forward

T0 = datetime(2027, 4, 5, 4, tzinfo=UTC)


def test_a_bucket_without_a_reading_keeps_the_last_count():
    cumulative = carry_forward([("twitter", "p1", "likes", 2, 5), ("twitter", "p1", "likes", 9, 8)])
    assert cumulative.counts.tolist() == [[0, 0, 5, 5, 5, 5, 5, 5, 5, 8, 8, 8, 8, 8, 8]]


def test_engagements_per_day_are_the_growth_of_every_part_that_day():
    rows = [
        ("twitter", "p1", "likes", 8, 10),  # Monday: 10 likes
        ("twitter", "p1", "reposts", 8, 2),
        ("twitter", "p1", "likes", 10, 15),  # Wednesday: 5 more
        ("twitter", "p1", "impressions", 10, 900),  # not an engagement
    ]
    assert figures.engagements_by_day(carry_forward(rows), "twitter") == [12, 0, 5, 0, 0, 0, 0]


def test_what_was_counted_last_week_is_not_counted_again():
    rows = [("twitter", "p1", "likes", 3, 40), ("twitter", "p1", "likes", 12, 50)]
    cumulative = carry_forward(rows)
    assert sum(figures.engagements_by_day(cumulative, "twitter")) == 10
    assert sum(figures.engagements_by_day(cumulative, "twitter", previous=True)) == 40


def test_facebook_impressions_are_media_views_and_clicks_are_engagements():
    rows = [("facebook", "f1", "media_views", 9, 300), ("facebook", "f1", "clicks", 9, 6)]
    cumulative = carry_forward(rows)
    assert figures.impressions_in(cumulative, "facebook") == 300
    [post] = figures.per_post(cumulative)
    assert (post.impressions, post.engagements) == (300, 6)


readings = st.lists(st.tuples(st.integers(0, BUCKETS - 1), st.integers(0, 10_000)), min_size=1, max_size=30)


@given(readings)
def test_daily_engagements_add_up_to_the_weeks_growth_and_are_never_negative(cells):
    # Readings of a count that only grows: sort the values so that later buckets hold larger ones.
    buckets = sorted({b for b, _ in cells})
    values = sorted(v for _, v in cells)[: len(buckets)]
    cumulative = carry_forward(("twitter", "p", "likes", b, v) for b, v in zip(buckets, values, strict=False))
    daily = figures.engagements_by_day(cumulative, "twitter")
    counts = cumulative.counts[0]
    assert all(d >= 0 for d in daily)
    assert sum(daily) == counts[figures.THIS_END] - counts[figures.PREV_END]


def test_an_engagement_rate_needs_impressions():
    assert figures.engagement_rate(5, 100) == 0.05
    assert figures.engagement_rate(5, 0) is None


def test_on_time_late_missed_and_failed_count_only_the_weeks_posts():
    end = T0 + timedelta(days=7)
    posts = [
        ("published", T0, T0 + timedelta(seconds=2)),
        ("published", T0, T0 + timedelta(minutes=30)),
        ("missed", T0 + timedelta(days=1), None),
        ("failed", T0 + timedelta(days=2), None),
        ("scheduled", T0 + timedelta(days=3), None),
        ("published", end, end),  # next week
    ]
    assert figures.delivery(posts, T0, end) == figures.Delivery(on_time=1, late=1, missed=1, failed=1)


def test_the_best_hour_is_the_highest_median_rate_among_hours_with_enough_posts():
    rates = figures.rates_by_hour([(9, 10, 100), (9, 30, 100), (13, 50, 100), (13, 70, 100), (18, 90, 100)])
    assert rates == [HourRate(9, 2, 0.2), HourRate(13, 2, 0.6), HourRate(18, 1, 0.9)]
    assert figures.best_hour(rates) == HourRate(13, 2, 0.6)  # 18:00 is one post: no evidence


def test_no_best_hour_is_suggested_without_two_hours_to_compare():
    assert figures.best_hour(figures.rates_by_hour([(9, 1, 10), (9, 2, 10)])) is None


def test_growth_keeps_the_first_72_hours_in_order():
    readings = [(T0 + timedelta(hours=h), h * 10) for h in (80, 1, 24, 72)]
    assert figures.growth(readings, T0) == [(1.0, 10), (24.0, 240), (72.0, 720)]


def test_hourly_series_has_one_entry_per_hour_even_across_dst():
    end = T0 + timedelta(hours=167)
    series = figures.hourly_series([(T0, 3), (T0 + timedelta(hours=166), 4), (end, 9)], T0, end)
    assert len(series) == 167 and series[0] == 3 and series[-1] == 4 and sum(series) == 7


def test_change_is_relative_and_absent_without_a_base():
    assert figures.change(150, 100) == 0.5
    assert figures.change(150, 0) is None and figures.change(None, 3) is None
