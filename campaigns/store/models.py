"""The tables. Times are aware and stored in UTC (``UTCDateTime``); lists are JSON columns.

Schema changes go through an Alembic migration in ``campaigns/store/migrations/versions/``;
``tests/test_store_migrations.py`` fails when these classes and the migrations disagree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from campaigns.store.deferred_build import DEFERRED_BUILD
from campaigns.store.post_status import PostStatus as PostStatus  # where most modules look for it
from campaigns.store.types import UTCDateTime

_STATUS_VALUES = ", ".join(f"'{s}'" for s in PostStatus)


class Campaign(SQLModel, table=True):
    """One spec file as last applied. Kept after its file is removed (``removed_at``), for history."""

    __tablename__ = "campaigns"
    model_config = DEFERRED_BUILD

    slug: str = Field(primary_key=True)  # the spec file's stem
    name: str
    source: str  # the spec file's path, as given
    content_hash: str  # sha256 hex of the file bytes last applied
    timezone: str
    late_window_seconds: int
    # Paused by `paused: true` in the spec (rewritten on every apply) or by `campaigns pause`
    # (only `campaigns resume` clears it). The campaign runs only when neither is set.
    spec_paused: bool = False
    operator_paused: bool = False
    operator_paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    planned_at: datetime = Field(sa_type=UTCDateTime)  # when its posts were last planned
    # E-mail addresses from the spec: `contacts` get alerts and reports, `report_to` reports only.
    contacts: list[str] = Field(default_factory=list, sa_type=JSON, sa_column_kwargs={"server_default": "[]"})
    report_to: list[str] = Field(
        default_factory=list, sa_type=JSON, sa_column_kwargs={"server_default": "[]"}
    )
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)

    @property
    def late_window(self) -> timedelta:
        return timedelta(seconds=self.late_window_seconds)

    @property
    def paused(self) -> bool:
        return self.spec_paused or self.operator_paused


class Post(SQLModel, table=True):
    """One post on one channel at one instant: the unit the dispatcher claims and a worker publishes."""

    __tablename__ = "posts"
    model_config = DEFERRED_BUILD
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_VALUES})", name="ck_posts_status"),
        # The dispatcher's question, asked every tick: which scheduled posts are due?
        Index("ix_posts_status_scheduled_at", "status", "scheduled_at"),
    )

    id: str = Field(primary_key=True)  # PlannedPost.post_id: stable across spec edits
    campaign_slug: str = Field(foreign_key="campaigns.slug", index=True)
    channel: str  # "twitter" | "facebook"
    account: str  # the configured account of that channel that publishes it
    day: int  # 1-based day of the campaign
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    late_window_seconds: int
    # After this instant the post is `missed`: scheduled_at + late window, or now + late window after
    # `campaigns retry`. Stored so that the dispatcher's queries need no date arithmetic in SQL.
    missed_after: datetime = Field(sa_type=UTCDateTime)
    text: str = Field(sa_type=Text)  # a thread's first part
    thread: list[str] = Field(default_factory=list, sa_type=JSON)  # every part, or empty for one text
    media: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)  # [{"path", "alt"}]
    link: str | None = None
    theme: str | None = None
    status: str = Field(default=PostStatus.SCHEDULED)
    status_reason: str | None = Field(default=None, sa_type=Text)  # why failed/missed/cancelled/...
    # One remote id per thread part already on the platform, in order: a resumed thread starts
    # after the last one recorded.
    remote_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    remote_url: str | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = None
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # backoff / hold
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)

    @property
    def parts(self) -> list[str]:
        """What is sent, in order: the thread's parts, or the single text."""
        return list(self.thread) or [self.text]


class Attempt(SQLModel, table=True):
    """One try at publishing a post, recorded before the platform is called and finished after."""

    __tablename__ = "attempts"
    model_config = DEFERRED_BUILD

    id: int | None = Field(default=None, primary_key=True)
    post_id: str = Field(foreign_key="posts.id", index=True)
    number: int  # 1 for the first try of this post
    worker: str | None = None
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    duration_ms: int | None = None
    outcome: str = "started"  # then: published | failed | retry | unconfirmed | rate_limited
    error: str | None = Field(default=None, sa_type=Text)
    response: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # the platform's answer, redacted


class AccountState(SQLModel, table=True):
    """What the service has learnt about one platform account: holds and credential trouble."""

    __tablename__ = "account_state"
    model_config = DEFERRED_BUILD

    platform: str = Field(primary_key=True)
    account: str = Field(primary_key=True)
    rate_limited_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rate_limit_reason: str | None = None
    # Credentials rejected: nothing is sent from this account until someone fixes them.
    attention_needed: bool = False
    attention_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attention_reason: str | None = Field(default=None, sa_type=Text)
    alert_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the alert goes once
    updated_at: datetime = Field(sa_type=UTCDateTime)
