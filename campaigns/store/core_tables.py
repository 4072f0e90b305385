"""The tables that the fast commands read, as plain SQLAlchemy Core sees them: no SQLModel.

The SQLModel classes (``campaigns.store.models`` and the other ``*_models``) are the schema. Loading
them costs importing SQLModel and SQLAlchemy's ORM and building a class per table: about 0.25 s of
CPU, more than `campaigns status`, `diff` or `health` spend on everything else. These lightweight
``table()`` clauses have the same names, columns and column types, so a statement written on them is
the same SQL and its results come back as the same Python values (aware UTC datetimes, lists from
JSON, bools); rows are read-only ``Row`` objects with the same attribute names.
``tests/test_store_core_tables.py`` fails when they and the SQLModel classes disagree.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, column, table

from campaigns.store.types import UTCDateTime

CAMPAIGNS = table(
    "campaigns",
    column("slug", String),
    column("name", String),
    column("source", String),
    column("content_hash", String),
    column("timezone", String),
    column("late_window_seconds", Integer),
    column("spec_paused", Boolean),
    column("operator_paused", Boolean),
    column("operator_paused_at", UTCDateTime),
    column("planned_at", UTCDateTime),
    column("contacts", JSON),
    column("report_to", JSON),
    column("removed_at", UTCDateTime),
    column("created_at", UTCDateTime),
    column("updated_at", UTCDateTime),
)

POSTS = table(
    "posts",
    column("id", String),
    column("campaign_slug", String),
    column("channel", String),
    column("account", String),
    column("day", Integer),
    column("scheduled_at", UTCDateTime),
    column("late_window_seconds", Integer),
    column("missed_after", UTCDateTime),
    column("text", Text),
    column("thread", JSON),
    column("media", JSON),
    column("link", String),
    column("theme", String),
    column("status", String),
    column("status_reason", Text),
    column("remote_ids", JSON),
    column("remote_url", String),
    column("attempts", Integer),
    column("last_error", Text),
    column("claimed_at", UTCDateTime),
    column("claimed_by", String),
    column("next_attempt_at", UTCDateTime),
    column("published_at", UTCDateTime),
    column("created_at", UTCDateTime),
    column("updated_at", UTCDateTime),
)

ACCOUNT_STATE = table(
    "account_state",
    column("platform", String),
    column("account", String),
    column("rate_limited_until", UTCDateTime),
    column("rate_limit_reason", String),
    column("attention_needed", Boolean),
    column("attention_since", UTCDateTime),
    column("attention_reason", Text),
    column("alert_sent_at", UTCDateTime),
    column("updated_at", UTCDateTime),
)

BEAT_LEASE = table(
    "beat_lease",
    column("name", String),
    column("holder", String),
    column("acquired_at", UTCDateTime),
    column("renewed_at", UTCDateTime),
    column("expires_at", UTCDateTime),
)

SPEC_PROBLEMS = table(
    "spec_problems",
    column("name", String),
    column("fingerprint", String),
    column("problems", JSON),
    column("since", UTCDateTime),
    column("updated_at", UTCDateTime),
)

READ_BUDGET_USE = table(
    "read_budget_use",
    column("id", Integer),
    column("campaign_slug", String),
    column("channel", String),
    column("day", Date),
    column("reads", Integer),
    column("limit", Integer),
    column("exhausted_at", UTCDateTime),
)

REPORT_DELIVERIES = table(
    "report_deliveries",
    column("id", Integer),
    column("campaign", String),
    column("week", String),
    column("recipient", String),
    column("status", String),
    column("attempts", Integer),
    column("last_error", Text),
    column("sent_at", UTCDateTime),
    column("updated_at", UTCDateTime),
)
