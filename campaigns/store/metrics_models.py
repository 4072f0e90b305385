"""Engagement metrics as read from the platforms (issue 11): samples, gaps, and the X read budget.

Shared contract between the collector (``campaigns.metrics``) and the reports (``campaigns.reports``);
migration ``0004_metrics.py``. Post values are cumulative totals at ``observed_at`` (a report takes
the latest, or differences); hashtag values are per-hour counts, ``observed_at`` the hour's start.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from campaigns.store.types import UTCDateTime


class MetricSample(SQLModel, table=True):
    """One number read from a platform about one subject (one of our posts, or a hashtag) at one time."""

    __tablename__ = "metric_samples"
    __table_args__ = (
        # Collecting twice never double-counts: the collector inserts with ON CONFLICT.
        UniqueConstraint(
            "campaign_slug",
            "channel",
            "subject_type",
            "subject",
            "metric",
            "observed_at",
            name="uq_metric_samples_observation",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_slug: str = Field(foreign_key="campaigns.slug", index=True)
    channel: str  # "twitter" | "facebook"
    subject_type: str  # "post" (one of our posts) | "hashtag" (use of a campaign hashtag by others)
    subject: str  # posts.id for "post", the hashtag ("#SSWWeek") for "hashtag"
    metric: str  # campaigns.metrics.names
    value: int
    observed_at: datetime = Field(sa_type=UTCDateTime)  # "post": when read; "hashtag": the hour's start
    source: str  # "x.tweets", "x.search_recent", "x.counts_recent", "graph.post_fields", "graph.insights"


class MetricGap(SQLModel, table=True):
    """A window the collector could not read (budget spent, API refused...): reports show it, not 0."""

    __tablename__ = "metric_gaps"

    id: int | None = Field(default=None, primary_key=True)
    campaign_slug: str = Field(foreign_key="campaigns.slug", index=True)
    channel: str
    subject_type: str
    subject: str
    metric: str | None = None  # None: every metric of the subject
    window_start: datetime = Field(sa_type=UTCDateTime)
    window_end: datetime = Field(sa_type=UTCDateTime)
    reason: str  # one line, no secrets
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class ReadBudgetUse(SQLModel, table=True):
    """Posts read from X per campaign and UTC day (X bills reads per post returned)."""

    __tablename__ = "read_budget_use"
    __table_args__ = (UniqueConstraint("campaign_slug", "channel", "day", name="uq_read_budget_use_day"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_slug: str = Field(foreign_key="campaigns.slug", index=True)
    channel: str
    day: date  # UTC
    reads: int = 0
    limit: int
    exhausted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
