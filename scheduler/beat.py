"""``LeasedScheduler``: Celery beat that sends only while it holds a lease in the database.

Run two beats (or more) for failover; exactly one is active. Each tick, the active beat renews a
one-row lease (``beat_lease``: holder, expires_at) with a conditional UPDATE; a standby tries the
same UPDATE every ``STANDBY_POLL`` and wins only once the lease has expired, i.e. within
``LEASE_TTL`` + ``STANDBY_POLL`` (about 22 s, well under a minute) of the active beat dying. A beat
stopped cleanly releases the lease, and a standby takes over at its next poll.

Why a database lease rather than a Redis lock (celery-redbeat): the database is already the one
thing every deployment has, SQLite or PostgreSQL, while Redis is optional (the embedded broker
needs none), so one mechanism works everywhere and fails with the thing it protects: a beat that
cannot reach the database stops sending, and its ticks would have nothing to do anyway. Double
sends are harmless regardless (claims are atomic): the lease keeps the work from being doubled.

The lease's ``renewed_at`` is the active beat's last tick; ``campaigns health`` reads it. Clocks
of the beat hosts must agree to well within the TTL (NTP), since each beat compares times by its
own clock.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery.beat import Scheduler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from campaigns.clock import utc_now
from campaigns.publishing.context import process_name
from campaigns.settings import get_settings
from campaigns.store.db import make_engine, session_scope
from campaigns.store.pipeline import acquire_lease, release_lease

log = logging.getLogger(__name__)

LEASE_NAME = "beat"
LEASE_TTL = timedelta(seconds=20)
RENEW_EVERY = timedelta(seconds=2)  # the active beat renews at least this often (many times per TTL)
STANDBY_POLL = 2.0  # seconds between a standby's tries


class LeasedScheduler(Scheduler):  # type: ignore[misc]  # celery is untyped
    """Celery's in-memory scheduler, gated by the lease. No schedule file: the database is the schedule."""

    def __init__(
        self,
        app: Any,
        *args: Any,
        engine: Engine | None = None,
        clock: Callable[[], datetime] = utc_now,
        holder: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.holder = holder or f"{process_name()}:{secrets.token_hex(3)}"
        self.holding = False
        self._checked_at: datetime | None = None
        super().__init__(app, *args, **kwargs)

    @property
    def engine(self) -> Engine:
        if self._engine is None:  # built on first use: celery also makes throwaway (lazy) instances
            self._engine = make_engine(get_settings().database_url)
        return self._engine

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """Send what is due if this beat holds the lease; returns the seconds until the next tick."""
        if not self.hold_lease():
            return STANDBY_POLL
        return min(float(super().tick(*args, **kwargs)), RENEW_EVERY.total_seconds())

    def hold_lease(self) -> bool:
        """Take or renew the lease when due; True while this beat holds it."""
        now = self._clock()
        if self.holding and self._checked_at is not None and now - self._checked_at < RENEW_EVERY:
            return True
        try:
            with session_scope(self.engine) as session:
                won = acquire_lease(
                    session=session, name=LEASE_NAME, holder=self.holder, now=now, ttl=LEASE_TTL
                )
        except SQLAlchemyError as e:
            log.warning(
                "beat: cannot reach the database, sending nothing: %s", " ".join(str(e).split())[:200]
            )
            won = False
        if won and not self.holding:
            log.info("beat: %s holds the lease: this beat is active", self.holder)
        elif self.holding and not won:
            log.warning("beat: %s lost the lease: standing by", self.holder)
        elif self._checked_at is None:
            log.warning("beat: %s stands by: another beat holds the lease", self.holder)
        self.holding, self._checked_at = won, now
        return won

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release()

    def release(self) -> None:
        """Give the lease up so that a standby takes over at once (a clean shutdown)."""
        if not self.holding:
            return
        self.holding = False
        try:
            with session_scope(self.engine) as session:
                release_lease(session=session, name=LEASE_NAME, holder=self.holder, now=self._clock())
        except SQLAlchemyError as e:  # it expires by itself
            log.warning("beat: could not release the lease: %s", " ".join(str(e).split())[:200])
