"""Report delivery and alert state (issue 11): what was sent to whom, so nothing goes twice.

Migration ``0005_reports.py``. ``campaign`` is a campaign's slug, or ``DIGEST`` for the digest of all
campaigns (so it is no foreign key).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaigns.store.deferred_build import DEFERRED_BUILD
from campaigns.store.metrics_models import MetricSample
from campaigns.store.types import UTCDateTime

# Index on metric_samples (a table of the shared contract, models in metrics_models.py) that the
# report's queries need: one campaign's samples of a time window. Created by migration 0005.
METRIC_SAMPLES_WINDOW_INDEX = Index(
    "ix_metric_samples_window",
    MetricSample.campaign_slug,
    MetricSample.subject_type,
    MetricSample.observed_at,  # type: ignore[arg-type]
)

DIGEST = "*"  # report_deliveries.campaign of the weekly digest of every campaign


class ReportDelivery(SQLModel, table=True):
    """One weekly report to one recipient: pending -> sent, or failed (retried) after each try."""

    __tablename__ = "report_deliveries"
    model_config = DEFERRED_BUILD
    __table_args__ = (UniqueConstraint("campaign", "week", "recipient", name="uq_report_deliveries_once"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign: str  # slug, or DIGEST
    week: str  # ISO week, "2027-W14"
    recipient: str
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)  # one line, no secrets
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class AlertSent(SQLModel, table=True):
    """When the e-mail about one problem last went out: at most once per problem per hour."""

    __tablename__ = "alerts_sent"
    model_config = DEFERRED_BUILD

    key: str = Field(primary_key=True)  # campaigns.store.problems.Problem.key
    last_sent_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(sa_type=Text)
