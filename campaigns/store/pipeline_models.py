"""Tables of the publishing pipeline itself (not of the schedule): the beat lease.

Imported by ``campaigns.store`` so that ``SQLModel.metadata`` always knows the table; its migration
is ``migrations/versions/0002_beat_lease.py``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from campaigns.store.types import UTCDateTime


class BeatLease(SQLModel, table=True):
    """Who may run the beat (the ticking scheduler) right now: one row per lease name.

    A beat holds the lease while ``expires_at`` is in the future and renews it on every tick; any
    other beat takes it over once it has expired. ``renewed_at`` is the active beat's last tick:
    the health check reads it to tell a silent beat.
    """

    __tablename__ = "beat_lease"

    name: str = Field(primary_key=True)
    holder: str | None = None  # "host:pid:token" of the beat that holds it; None when released
    acquired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    renewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
