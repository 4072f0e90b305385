"""Builders of metric samples for report tests: one reading at a time, or the sandbox's curves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from campaigns.store.metrics_models import MetricSample
from sandbox.metric_feed import hashtag_hours, post_readings
from tests.support.db_fixtures import add_post

HOUR = timedelta(hours=1)


def sample_row(
    campaign: str,
    subject: str,
    metric: str,
    value: int,
    at: datetime,
    *,
    channel: str = "twitter",
    subject_type: str = "post",
) -> dict[str, Any]:
    source = {"twitter": "x.tweets", "facebook": "graph.post_fields"}[channel]
    if subject_type == "hashtag":
        source = "x.counts_recent"
    return {
        "campaign_slug": campaign,
        "channel": channel,
        "subject_type": subject_type,
        "subject": subject,
        "metric": metric,
        "value": value,
        "observed_at": at.astimezone(UTC),
        "source": source,
    }


def write_samples(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert the rows in one statement; returns how many."""
    batch = list(rows)
    if batch:
        session.execute(insert(MetricSample), batch)
        session.commit()
    return len(batch)


def add_published(
    session: Session,
    post_id: str,
    *,
    campaign: str,
    channel: str,
    at: datetime,
    late_by: timedelta = timedelta(seconds=1),
    theme: str | None = None,
    day: int = 1,
    text: str = "Social service workers make the system go #SSWWeek",
) -> datetime:
    """A post published ``late_by`` after its time, with a link; returns when it was published."""
    published_at = at + late_by
    add_post(
        session,
        post_id,
        at=at,
        campaign=campaign,
        channel=channel,
        status="published",
        published_at=published_at,
        remote_url=f"https://example.org/{channel}/{post_id}",
        theme=theme,
        day=day,
        text=text,
    )
    return published_at


def add_sandbox_readings(
    session: Session,
    *,
    campaign: str,
    post_id: str,
    channel: str,
    published_at: datetime,
    until: datetime,
    every: timedelta = HOUR,
    seed: int = 7,
) -> int:
    """Readings of the post as the sandbox would report them, every ``every`` until ``until``."""
    rows = [
        sample_row(campaign, post_id, metric, value, at, channel=channel)
        for at, values in post_readings(
            seed=seed,
            post_id=post_id,
            channel=channel,
            text=post_id,
            published_at=published_at,
            until=until,
            every=every,
        )
        for metric, value in values.items()
    ]
    return write_samples(session, rows)


def add_sandbox_hashtag(
    session: Session,
    *,
    campaign: str,
    tag: str,
    first_use: datetime,
    start: datetime,
    end: datetime,
    seed: int = 7,
) -> int:
    """The sandbox's simulated chatter with ``tag``, as hourly uses and distinct accounts."""
    rows = []
    for hour, uses, accounts in hashtag_hours(seed=seed, tag=tag, first_use=first_use, start=start, end=end):
        rows.append(sample_row(campaign, tag, "uses", uses, hour, subject_type="hashtag"))
        rows.append(sample_row(campaign, tag, "accounts", accounts, hour, subject_type="hashtag"))
    return write_samples(session, rows)
