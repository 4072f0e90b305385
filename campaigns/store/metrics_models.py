"""Engagement metrics as time series: samples, the gaps where collection failed, X read budgets.

Migration ``migrations/versions/0004_metrics.py``. Values of a post are cumulative totals as the
platform reported them at ``observed_at`` (when they were read); values of a hashtag are counts
per hour bucket (``observed_at`` = the bucket's start). The unique key makes collecting twice, or
again after a crash, write nothing new (insert ... on conflict do nothing / update).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaigns.store import models as _models  # noqa: F401  (the `campaigns` table its foreign keys name)
from campaigns.store.deferred_build import DEFERRED_BUILD
from campaigns.store.types import UTCDateTime


class MetricSample(SQLModel, table=True):
    __tablename__ = "metric_samples"
    model_config = DEFERRED_BUILD
    __table_args__ = (
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
    observed_at: datetime = Field(sa_type=UTCDateTime)
    source: str  # "x.tweets", "x.search_recent", "x.counts_recent", "graph.post_fields", "graph.insights"


class MetricGap(SQLModel, table=True):
    """A window in which a subject's metric (None: all of them) could not be collected, and why."""

    __tablename__ = "metric_gaps"
    model_config = DEFERRED_BUILD

    id: int | None = Field(default=None, primary_key=True)
    campaign_slug: str = Field(foreign_key="campaigns.slug", index=True)
    channel: str
    subject_type: str
    subject: str
    metric: str | None = None  # None: every metric of the subject
    window_start: datetime = Field(sa_type=UTCDateTime)
    window_end: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(sa_type=Text)  # one line, never a secret
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class ReadBudgetUse(SQLModel, table=True):
    """Posts read on X for one campaign on one UTC day (X bills reads per post returned)."""

    __tablename__ = "read_budget_use"
    model_config = DEFERRED_BUILD
    __table_args__ = (UniqueConstraint("campaign_slug", "channel", "day", name="uq_read_budget_use_day"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_slug: str = Field(foreign_key="campaigns.slug", index=True)
    channel: str
    day: date
    reads: int = 0
    limit: int
    exhausted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
