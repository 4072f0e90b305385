"""A campaign's weekly report built from the samples in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from campaigns.reports.report import build_week_report
from campaigns.reports.weeks import Week
from campaigns.store.metrics_models import MetricSample
from campaigns.store.models import Campaign
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.report_data import (
    add_published,
    add_sandbox_hashtag,
    add_sandbox_readings,
    sample_row,
    write_samples,
)

WEEK = Week(2027, 14)
TZ = "America/New_York"
START, END = WEEK.bounds(TZ)
NOW = END + timedelta(hours=12)
THEMES = ["The workforce", "Frameworks", "Wellbeing", "Supervision", "Recognition"]


def _campaign(session: Session) -> Campaign:
    return add_campaign(session, "ssw-week", name="Social Service Workforce Week", timezone=TZ)


def _week_of_posts(session: Session) -> None:
    """Mon-Fri, 09:00 local on X and 13:00 local on Facebook, read hourly by a collector until NOW."""
    for day, theme in enumerate(THEMES):
        for channel, hour in (("twitter", 13), ("facebook", 17)):  # UTC: 09:00 / 13:00 EDT
            at = START + timedelta(days=day, hours=hour - 4)
            post_id = f"ssw-week:d{day + 1}:{channel}"
            published = add_published(
                session, post_id, campaign="ssw-week", channel=channel, at=at, theme=theme, day=day + 1
            )
            add_sandbox_readings(
                session,
                campaign="ssw-week",
                post_id=post_id,
                channel=channel,
                published_at=published,
                until=NOW,
            )


def test_a_week_without_anything_says_so(session: Session):
    report = build_week_report(session, _campaign(session), WEEK, NOW)
    assert not report.has_data and report.channels == [] and report.top_posts == []


def test_the_weeks_figures_come_from_the_samples(session: Session):
    campaign = _campaign(session)
    _week_of_posts(session)
    add_sandbox_hashtag(
        session,
        campaign="ssw-week",
        tag="#SSWWeek",
        first_use=START + timedelta(hours=13),
        start=START - timedelta(days=7),
        end=END,
    )
    report = build_week_report(session, campaign, WEEK, NOW)

    assert report.has_data
    assert report.delivery.on_time == 10 and report.delivery.late == 0
    twitter = next(c for c in report.channels if c.channel == "twitter")
    # Every post was published this week: its impressions this week are its last reading before END.
    last = (
        select(func.max(MetricSample.value))
        .where(MetricSample.metric == "impressions", MetricSample.observed_at < END)
        .group_by(MetricSample.subject)
    )
    assert twitter.impressions == sum(v for (v,) in session.execute(last)) > 0
    assert sum(twitter.daily) == twitter.engagements > 0
    assert twitter.prev_impressions == 0 and twitter.daily[5:] != [0, 0]  # weekend growth of Friday's post
    assert [p.engagements for p in report.top_posts] == sorted(
        (p.engagements for p in report.top_posts), reverse=True
    )
    assert [t.label for t in report.themes] == THEMES
    assert sum(t.engagements for t in report.themes) == sum(c.engagements for c in report.channels)
    [tag] = report.hashtags
    assert tag.tag == "#SSWWeek" and tag.uses == sum(tag.hourly) > tag.peak_accounts > 0
    assert len(tag.hourly) == 168 and tag.prev_uses > 0
    assert report.growth and all(0 < h <= 72 for g in report.growth for h, _ in g.points)


def test_late_missed_and_failed_posts_are_counted(session: Session):
    campaign = _campaign(session)
    add_published(
        session,
        "late",
        campaign="ssw-week",
        channel="twitter",
        at=START + timedelta(hours=13),
        late_by=timedelta(hours=2),
    )
    add_post(session, "missed", at=START + timedelta(days=1), status="missed")
    add_post(session, "failed", at=START + timedelta(days=2), status="failed")
    add_post(session, "last-week", at=START - timedelta(days=2), status="failed")
    report = build_week_report(session, campaign, WEEK, NOW)
    assert (report.delivery.late, report.delivery.missed, report.delivery.failed) == (1, 1, 1)
    assert report.prev_delivery.failed == 1 and report.has_data and not report.has_metrics


def test_the_best_hour_is_suggested_from_the_campaigns_history(session: Session):
    campaign = _campaign(session)
    rows = []
    for n, (local_hour, likes) in enumerate([(13, 10), (13, 12), (21, 40), (21, 50)]):
        at = START + timedelta(days=n, hours=local_hour)  # START is local midnight
        add_published(session, f"p{n}", campaign="ssw-week", channel="twitter", at=at)
        rows += [
            sample_row("ssw-week", f"p{n}", "impressions", 1000, at + timedelta(hours=5)),
            sample_row("ssw-week", f"p{n}", "likes", likes, at + timedelta(hours=5)),
        ]
    write_samples(session, rows)
    report = build_week_report(session, campaign, WEEK, NOW)
    assert report.best_hour is not None and report.best_hour.hour == 21
    assert [h.hour for h in report.hours] == [13, 21]


@pytest.mark.parametrize("tz", ["Europe/London", "America/New_York"])
def test_a_sample_just_before_local_midnight_counts_on_that_local_day(session: Session, tz: str):
    campaign = add_campaign(session, "c", timezone=tz)
    start, _ = WEEK.bounds(tz)
    add_published(session, "p", campaign="c", channel="twitter", at=start + timedelta(hours=1))
    write_samples(
        session,
        [
            sample_row("c", "p", "likes", 3, start + timedelta(days=1) - timedelta(seconds=1)),
            sample_row("c", "p", "likes", 5, start + timedelta(days=1)),
        ],
    )
    report = build_week_report(session, campaign, WEEK, datetime(2027, 5, 1, tzinfo=UTC))
    assert report.channels[0].daily[:2] == [3, 2]
