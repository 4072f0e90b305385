"""One post's engagement for its dashboard page: readings carried forward, never summed twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from campaigns.reports.post_engagement import growth_chart, series

T0 = datetime(2027, 4, 5, 13, 0, tzinfo=UTC)


def test_each_reading_sums_the_latest_value_of_every_engagement_part():
    samples = [
        ("impressions", 100, T0),
        ("likes", 3, T0),
        ("reposts", 1, T0),
        ("impressions", 250, T0 + timedelta(hours=1)),
        ("likes", 7, T0 + timedelta(hours=1)),  # reposts not read this time: the last value stands
    ]
    result = series("twitter", samples)
    assert [(p.impressions, p.engagements) for p in result.points] == [(100, 4), (250, 8)]
    assert result.latest == {"impressions": 250, "likes": 7, "reposts": 1}
    assert result.rate == 8 / 250


def test_facebook_counts_media_views_as_impressions_and_clicks_as_engagement():
    result = series("facebook", [("media_views", 40, T0), ("reactions", 2, T0), ("clicks", 3, T0)])
    assert (result.impressions, result.engagements) == (40, 5)


def test_no_reading_means_no_rate_and_no_chart():
    empty = series("twitter", [])
    assert empty.points == [] and empty.rate is None
    assert growth_chart(empty, T0) is None
    one = series("twitter", [("impressions", 5, T0)])
    assert growth_chart(one, T0) is None


def test_the_chart_is_a_png_data_uri():
    result = series("twitter", [("impressions", 5, T0), ("impressions", 9, T0 + timedelta(hours=2))])
    chart = growth_chart(result, T0)
    assert chart is not None and chart.startswith("data:image/png;base64,iVBOR")
