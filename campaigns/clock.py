"""The one place the product reads the wall clock, and the service's clock built on it.

- ``local_now()``: this machine's wall clock, the only read of it in the product.
- ``utc_now()``: the service's clock. Once a reference time source is registered (the database
  server's clock, ``campaigns.store.db`` does it for PostgreSQL), it is the reference's time at the
  last sync plus the monotonic time elapsed since: every worker and beat shares the database's
  clock, so a host whose wall clock is wrong or steps (an hour forward, then back) neither publishes
  early nor holds an account an hour too long. Resynced every ``RESYNC``; a failed sync (database
  down) keeps extrapolating from the last good one (the monotonic clock never steps) and is retried
  after ``RETRY``. Without a good sync yet: ``local_now()``.

Everything else takes ``now`` as an argument (or a ``Clock`` callable, defaulting to ``utc_now``)
so that tests can pass a fake one; aware and in UTC, as the database stores it. This module imports
the standard library only (the store registers its source here, never the other way round).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Clock = Callable[[], datetime]
Monotonic = Callable[[], float]
# Calls a source, giving up after the timeout (seconds): raises whatever the source or the wait does.
Runner = Callable[[Clock, float], datetime]

RESYNC = 60.0  # seconds between syncs with the reference: the monotonic clock drifts ~ms a minute
RETRY = 5.0  # seconds after a failed sync before the next try: a dead database costs one wait per RETRY
# ... and before a first good sync: meanwhile the service runs on this machine's clock, which may be
# the one that is off (a worker restarted while the database was), so the database is asked again soon.
FIRST_RETRY = 0.5
# A sync slower than this (seconds, the round trip) fails: the caller waited long enough, and the
# reading's own error is half the round trip.
SYNC_TIMEOUT = 0.5


def local_now() -> datetime:
    """This machine's wall clock, aware, in UTC. Only ``utc_now`` and the health check's comparison
    should need it."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Sync:
    reference: datetime  # the reference's time ...
    monotonic: float  # ... at this monotonic reading


class ReferenceClock:
    """``now()``: ``source``'s time extrapolated with ``monotonic``; ``fallback`` until a sync worked.

    Thread-safe, and never blocks on another thread's sync: while one thread syncs, the others
    extrapolate from the last good sync. ``now()`` never raises for the source.
    """

    def __init__(
        self,
        source: Clock,
        *,
        monotonic: Monotonic = time.monotonic,
        fallback: Clock = local_now,
        run: Runner | None = None,
        resync: float = RESYNC,
        retry: float = RETRY,
        timeout: float = SYNC_TIMEOUT,
    ) -> None:
        self._source = source
        self._monotonic = monotonic
        self._fallback = fallback
        self._run = run or _TimedCall()
        self._resync, self._retry, self._timeout = resync, retry, timeout
        self._lock = threading.Lock()
        self._last: _Sync | None = None
        self._next_try = float("-inf")  # monotonic time of the next sync attempt
        self._syncing = False

    def now(self) -> datetime:
        if self._claim_sync():
            self._sync()
        last = self._last
        if last is None:
            return self._fallback()
        return last.reference + timedelta(seconds=self._monotonic() - last.monotonic)

    @property
    def synced(self) -> bool:
        return self._last is not None

    def _claim_sync(self) -> bool:
        """True for the one caller that should sync now."""
        with self._lock:
            if self._syncing or self._monotonic() < self._next_try:
                return False
            self._syncing = True
            return True

    def _sync(self) -> None:
        before = self._monotonic()
        reading: _Sync | None = None
        try:
            reference = self._run(self._source, self._timeout)
            after = self._monotonic()
            if after - before <= self._timeout:
                # read somewhere in the round trip: its middle errs by half of it at most
                reading = _Sync(reference, (before + after) / 2)
        except Exception:  # a dead database, a timeout: keep extrapolating, retry after RETRY
            pass
        finally:
            self._done(reading)

    def _done(self, reading: _Sync | None) -> None:
        with self._lock:
            if reading is not None:
                self._last = reading
                wait = self._resync
            else:
                wait = self._retry if self._last is not None else min(self._retry, FIRST_RETRY)
            self._next_try = self._monotonic() + wait
            self._syncing = False


class _TimedCall:
    """A ``Runner``: the source runs in a daemon thread of its own, so that a database that does not
    answer at all (not even a refusal) costs the caller ``timeout``, not the driver's connection
    timeout. While a call that timed out still hangs, the next one fails at once: hung calls never
    pile up threads (each ends when its driver gives up)."""

    def __init__(self) -> None:
        self._running: threading.Thread | None = None

    def __call__(self, source: Clock, timeout: float) -> datetime:
        if self._running is not None and self._running.is_alive():
            raise TimeoutError("the previous sync has not answered yet")
        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                outcome["value"] = source()
            except BaseException as e:  # handed to the caller below
                outcome["error"] = e

        self._running = threading.Thread(target=call, name="clock-sync", daemon=True)
        self._running.start()
        self._running.join(timeout)
        if self._running.is_alive():
            raise TimeoutError(f"no answer within {timeout:g} s")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]  # type: ignore[no-any-return]


_reference: ReferenceClock | None = None


def set_reference(source: Clock | None, **options: Any) -> None:
    """Make ``source`` (a callable returning the reference's "now", aware) the service's time
    authority (``options``: ``ReferenceClock``'s); None: back to this machine's clock. The last
    registered source wins: a process has one database."""
    global _reference
    _reference = ReferenceClock(source, **options) if source is not None else None


def reference_clock() -> ReferenceClock | None:
    """The registered reference, if any (the health check compares it with this machine's clock)."""
    return _reference


def utc_now() -> datetime:
    """The service's now, aware, in UTC: the reference's time if one is registered (see above)."""
    reference = _reference
    return reference.now() if reference is not None else local_now()


def _fresh_after_fork() -> None:
    # A forked child (Celery's prefork pool) may inherit a lock held by another thread of its parent.
    if _reference is not None:
        _reference._lock = threading.Lock()
        _reference._syncing = False


os.register_at_fork(after_in_child=_fresh_after_fork)
