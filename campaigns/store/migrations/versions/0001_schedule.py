"""The schedule: campaigns, posts, attempts, account state.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("scheduled", "claimed", "sending", "published", "failed", "missed", "unconfirmed", "cancelled")


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("slug", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("late_window_seconds", sa.Integer(), nullable=False),
        sa.Column("spec_paused", sa.Boolean(), nullable=False),
        sa.Column("operator_paused", sa.Boolean(), nullable=False),
        _when("operator_paused_at", nullable=True),
        _when("planned_at"),
        _when("removed_at", nullable=True),
        _when("created_at"),
        _when("updated_at"),
    )
    statuses = ", ".join(f"'{s}'" for s in STATUSES)
    op.create_table(
        "posts",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("campaign_slug", sa.String(), sa.ForeignKey("campaigns.slug"), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        _when("scheduled_at"),
        sa.Column("late_window_seconds", sa.Integer(), nullable=False),
        _when("missed_after"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("thread", sa.JSON(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(), nullable=True),
        sa.Column("theme", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("remote_ids", sa.JSON(), nullable=False),
        sa.Column("remote_url", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("claimed_at", nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        _when("next_attempt_at", nullable=True),
        _when("published_at", nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.CheckConstraint(f"status IN ({statuses})", name="ck_posts_status"),
    )
    op.create_index("ix_posts_campaign_slug", "posts", ["campaign_slug"])
    op.create_index("ix_posts_status_scheduled_at", "posts", ["status", "scheduled_at"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.String(), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(), nullable=True),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
    )
    op.create_index("ix_attempts_post_id", "attempts", ["post_id"])
    op.create_table(
        "account_state",
        sa.Column("platform", sa.String(), primary_key=True),
        sa.Column("account", sa.String(), primary_key=True),
        _when("rate_limited_until", nullable=True),
        sa.Column("rate_limit_reason", sa.String(), nullable=True),
        sa.Column("attention_needed", sa.Boolean(), nullable=False),
        _when("attention_since", nullable=True),
        sa.Column("attention_reason", sa.Text(), nullable=True),
        _when("alert_sent_at", nullable=True),
        _when("updated_at"),
    )


def downgrade() -> None:
    op.drop_table("account_state")
    op.drop_index("ix_attempts_post_id", table_name="attempts")
    op.drop_table("attempts")
    op.drop_index("ix_posts_status_scheduled_at", table_name="posts")
    op.drop_index("ix_posts_campaign_slug", table_name="posts")
    op.drop_table("posts")
    op.drop_table("campaigns")
