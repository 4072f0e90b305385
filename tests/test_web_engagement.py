"""``/engagement``: a campaign's engagement over a chosen range, day by day in its time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from campaigns.store.metrics_models import MetricSample
from campaigns.web.engagement import MAX_DAYS, day_bounds
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.web_fixtures import Web

NEW_YORK = ZoneInfo("America/New_York")
DAY1 = datetime(2027, 4, 5, 13, 0, tzinfo=UTC)  # 09:00 in New York, Monday 5 April


def _read(session: Session, post_id: str, channel: str, at: datetime, **values: int) -> None:
    for metric, value in values.items():
        session.add(
            MetricSample(campaign_slug="ssw-week", channel=channel, subject_type="post", subject=post_id,
                         metric=metric, value=value, observed_at=at, source="test")
        )  # fmt: skip


def test_day_bounds_are_local_midnights_across_a_clock_change():
    bounds = day_bounds(datetime(2027, 3, 13).date(), datetime(2027, 3, 15).date(), NEW_YORK)
    assert [b.astimezone(UTC).hour for b in bounds] == [5, 5, 4, 4]  # EST, EST, then EDT from the 14th


def test_it_shows_what_each_channel_gained_each_local_day(web: Web):
    with Session(web.engine) as session:
        add_campaign(session, timezone="America/New_York")
        add_post(session, status="published", published_at=DAY1)
        add_post(session, "ssw-week:d1p1:facebook", channel="facebook", status="published", published_at=DAY1)
        # X: 100 impressions / 5 engagements by the end of day 1, 300 / 12 by the end of day 2.
        _read(
            session,
            "ssw-week:d1p1:twitter",
            "twitter",
            DAY1 + timedelta(hours=2),
            impressions=100,
            likes=4,
            reposts=1,
        )
        _read(
            session,
            "ssw-week:d1p1:twitter",
            "twitter",
            DAY1 + timedelta(hours=26),
            impressions=300,
            likes=9,
            reposts=3,
        )
        # 03:30 UTC on the 7th is still the 6th in New York.
        _read(
            session,
            "ssw-week:d1p1:facebook",
            "facebook",
            datetime(2027, 4, 7, 3, 30, tzinfo=UTC),
            media_views=50,
            reactions=6,
            clicks=1,
        )
        session.commit()  # fmt: skip
    page = web.client("viewer").get("/engagement?campaign=ssw-week&from=2027-04-05&to=2027-04-07").text
    rows = page[page.index("Day by day") :]
    assert "<td>Mon 05 Apr 2027</td><td>100</td><td>5</td><td>0</td><td>0</td>" in rows
    assert "<td>Tue 06 Apr 2027</td><td>200</td><td>7</td><td>50</td><td>7</td>" in rows
    assert "<td>Wed 07 Apr 2027</td><td>0</td><td>0</td><td>0</td><td>0</td>" in rows
    totals = page[page.index("Engagement rate") : page.index("Day by day")]
    assert "<td>X</td><td>300</td><td>12</td><td>4.0 %</td>" in totals
    assert "<td>Facebook</td><td>50</td><td>7</td><td>14.0 %</td>" in totals
    assert 'src="data:image/png;base64,' in page


def test_a_range_is_at_most_a_quarter_and_an_empty_one_says_so(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        session.commit()
    page = web.client("viewer").get("/engagement?campaign=ssw-week&from=2026-01-01&to=2027-04-01").text
    assert f"At most {MAX_DAYS} days at a time" in page
    assert page.count("<td>Thu 01 Apr 2027</td>") == 1 and "Wed 30 Dec 2026" not in page
    assert "No engagement was read for these days." in page
