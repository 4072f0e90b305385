"""Weekly reports and alerts: deliveries per recipient, alerts sent, and campaigns' contacts.

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign", sa.String(), nullable=False),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("campaign", "week", "recipient", name="uq_report_deliveries_once"),
    )
    op.create_table(
        "alerts_sent",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    # The report reads a campaign's samples of two weeks: found by time, not by scanning its history.
    op.create_index(
        "ix_metric_samples_window", "metric_samples", ["campaign_slug", "subject_type", "observed_at"]
    )
    # Who hears about a campaign: `contacts:` (alerts and reports) and `report_to:` (reports) in its spec.
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("contacts", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("report_to", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_index("ix_metric_samples_window", table_name="metric_samples")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("report_to")
        batch.drop_column("contacts")
    op.drop_table("alerts_sent")
    op.drop_table("report_deliveries")
