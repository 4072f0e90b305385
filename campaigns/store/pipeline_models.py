"""Tables of the publishing pipeline itself (not of the schedule): the beat lease, the spec problems.

Registered by ``campaigns.store.register_tables`` wherever ``SQLModel.metadata`` must know every table; their
migrations are ``migrations/versions/0002_beat_lease.py`` and ``0003_spec_problems.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from campaigns.store.deferred_build import DEFERRED_BUILD
from campaigns.store.types import UTCDateTime


class BeatLease(SQLModel, table=True):
    """Who may run the beat (the ticking scheduler) right now: one row per lease name.

    A beat holds the lease while ``expires_at`` is in the future and renews it on every tick; any
    other beat takes it over once it has expired. ``renewed_at`` is the active beat's last tick:
    the health check reads it to tell a silent beat.
    """

    __tablename__ = "beat_lease"
    model_config = DEFERRED_BUILD

    name: str = Field(primary_key=True)
    holder: str | None = None  # "host:pid:token" of the beat that holds it; None when released
    acquired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    renewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class SpecProblems(SQLModel, table=True):
    """Why the spec files in the folder are not the ones in force: one row, shared by every process.

    Every worker process syncs the specs; the one whose conditional UPDATE changes ``fingerprint``
    reports the problems (once, across processes and machines), and ``campaigns status`` shows them
    to people who never read worker logs. ``fingerprint`` is None when nothing is wrong.
    """

    __tablename__ = "spec_problems"
    model_config = DEFERRED_BUILD

    name: str = Field(primary_key=True)
    fingerprint: str | None = None  # sha256 of the invalid version's sorted file hashes
    problems: list[str] = Field(default_factory=list, sa_type=JSON)  # "path:line:col: error: message"
    since: datetime | None = Field(default=None, sa_type=UTCDateTime)  # first recorded for this version
    updated_at: datetime = Field(sa_type=UTCDateTime)
