"""Tables of the dashboard (``campaigns/web``): its users, their sessions, the audit log, login attempts.

Registered by ``campaigns.store.register_tables`` wherever ``SQLModel.metadata`` must know every table; their migration is
``migrations/versions/0007_dashboard.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from campaigns.store.deferred_build import DEFERRED_BUILD
from campaigns.store.types import UTCDateTime

ROLES = ("viewer", "editor", "admin")


class User(SQLModel, table=True):
    """A person who may log in to the dashboard. Managed by ``campaigns users``."""

    __tablename__ = "users"
    model_config = DEFERRED_BUILD
    __table_args__ = (CheckConstraint("role IN ('viewer', 'editor', 'admin')", name="ck_users_role"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str
    password_hash: str  # Argon2id, in the PHC string format (never shown anywhere)
    created_at: datetime = Field(sa_type=UTCDateTime)
    password_changed_at: datetime = Field(sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A login: the cookie holds a random token, this row only its SHA-256 (a copy of the table
    lets nobody in). Revoked by logout, a new password, removing the user, or ``users revoke``."""

    __tablename__ = "web_sessions"
    model_config = DEFERRED_BUILD

    token_hash: str = Field(primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    csrf_token: str  # sent back in every form; compared in constant time
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    address: str | None = None  # where the login came from


class AuditEntry(SQLModel, table=True):
    """Who did what, when: one row per action taken in the dashboard or by ``campaigns users``."""

    __tablename__ = "audit_log"
    model_config = DEFERRED_BUILD

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str  # a user's name, or "cli" for `campaigns users`
    action: str  # "login", "pause", "retry", ...
    target: str | None = None
    detail: str | None = Field(default=None, sa_type=Text)
    address: str | None = None


class LoginAttempt(SQLModel, table=True):
    """A failed or successful login, kept to throttle guessing per account and per address."""

    __tablename__ = "login_attempts"
    model_config = DEFERRED_BUILD
    __table_args__ = (
        Index("ix_login_attempts_name_at", "name", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str  # as typed (the account may not exist)
    address: str
    at: datetime = Field(sa_type=UTCDateTime)
    succeeded: bool = False
