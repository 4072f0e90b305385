"""Engagement metrics: samples read from the platforms, gaps in them, and the X read budget.

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _campaign() -> sa.Column[object]:
    return sa.Column("campaign_slug", sa.String(), sa.ForeignKey("campaigns.slug"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "metric_samples",
        sa.Column("id", sa.Integer(), primary_key=True),
        _campaign(),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("subject_type", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("metric", sa.String(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        _when("observed_at"),
        sa.Column("source", sa.String(), nullable=False),
        sa.UniqueConstraint(
            "campaign_slug",
            "channel",
            "subject_type",
            "subject",
            "metric",
            "observed_at",
            name="uq_metric_samples_observation",
        ),
    )
    op.create_index("ix_metric_samples_campaign_slug", "metric_samples", ["campaign_slug"])
    op.create_table(
        "metric_gaps",
        sa.Column("id", sa.Integer(), primary_key=True),
        _campaign(),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("subject_type", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("metric", sa.String(), nullable=True),
        _when("window_start"),
        _when("window_end"),
        sa.Column("reason", sa.String(), nullable=False),
        _when("recorded_at"),
    )
    op.create_index("ix_metric_gaps_campaign_slug", "metric_gaps", ["campaign_slug"])
    op.create_table(
        "read_budget_use",
        sa.Column("id", sa.Integer(), primary_key=True),
        _campaign(),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.Column("limit", sa.Integer(), nullable=False),
        _when("exhausted_at", nullable=True),
        sa.UniqueConstraint("campaign_slug", "channel", "day", name="uq_read_budget_use_day"),
    )
    op.create_index("ix_read_budget_use_campaign_slug", "read_budget_use", ["campaign_slug"])


def downgrade() -> None:
    op.drop_table("read_budget_use")
    op.drop_table("metric_gaps")
    op.drop_table("metric_samples")
