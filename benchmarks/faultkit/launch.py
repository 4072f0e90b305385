"""``python -m benchmarks.faultkit.launch worker|beat ...``: the real Celery app, with two test knobs.

- ``CAMPAIGNS_FAULTS_CLOCK_FILE``: a file holding seconds added to this host's wall clock as the
  product reads it (``campaigns.clock.local_now``), read on every call: the harness steps the
  worker and beat hosts' clocks forward and back while the database server's (the service's time
  authority, ``campaigns.clock.utc_now``) does not step. ``local_now``'s code object is replaced,
  so every reference to it sees the offset; Celery's own timers (ETAs, beat intervals) keep the
  machine's clock, as they would under NTP slewing.
- ``CAMPAIGNS_FAULTS_FAST``: ``time_limit,settle,sweep_every`` seconds: the sweep and
  reconciliation timeouts shortened, the sweep and the spec sync run every ``sweep_every`` (as tests/support/service_celery.py does), so that a short
  run recovers within seconds instead of the production 150 s.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

CLOCK_VAR = "CAMPAIGNS_FAULTS_CLOCK_FILE"
FAST_VAR = "CAMPAIGNS_FAULTS_FAST"


def read_offset(path: Path) -> timedelta:
    try:
        return timedelta(seconds=float(path.read_text() or 0))
    except (OSError, ValueError):  # being rewritten: no offset for this one call
        return timedelta(0)


def install_clock_offset(path: Path, which: str = "local_now") -> None:
    """Seconds read from ``path`` added to ``campaigns.clock.<which>``: ``local_now``, this host's
    clock (the fault harness: the hosts' clocks step, the database's does not), or ``utc_now``, the
    service's whole time, the database's included (a test's "a week later")."""
    import types

    import campaigns.clock

    target = getattr(campaigns.clock, which)
    unshifted = types.FunctionType(target.__code__, campaigns.clock.__dict__, f"unshifted_{which}")
    setattr(campaigns.clock, f"_faults_unshifted_{which}", unshifted)
    setattr(campaigns.clock, f"_faults_offset_{which}", lambda: read_offset(path))
    target.__code__ = _SHIFTED[which].__code__


# The code that replaces each function's; it runs with campaigns.clock's globals, where
# install_clock_offset put the names it calls.
def _shifted_local_now() -> datetime:
    return _faults_unshifted_local_now() + _faults_offset_local_now()  # type: ignore[name-defined, no-any-return]  # noqa: F821


def _shifted_utc_now() -> datetime:
    return _faults_unshifted_utc_now() + _faults_offset_utc_now()  # type: ignore[name-defined, no-any-return]  # noqa: F821


_SHIFTED = {"local_now": _shifted_local_now, "utc_now": _shifted_utc_now}


def shorten_timeouts(spec: str) -> None:
    import campaigns.publishing.reconcile
    import scheduler.tasks
    from worker.app import app

    limit, settle, sweep = (float(x) for x in spec.split(","))
    app.conf.task_time_limit = limit
    scheduler.tasks.SENDING_TIMEOUT = timedelta(seconds=limit + 1)
    campaigns.publishing.reconcile.RECONCILE_SETTLE = timedelta(seconds=settle)
    schedule = dict(app.conf.beat_schedule)
    for entry in ("sweep", "sync-specs"):  # the spec sync too: a short run's edit applies at once
        schedule[entry] = {**schedule[entry], "schedule": sweep, "options": {"expires": sweep * 0.9}}
    app.conf.beat_schedule = schedule


def main(argv: list[str]) -> None:
    if os.environ.get(CLOCK_VAR):
        install_clock_offset(Path(os.environ[CLOCK_VAR]))
    if os.environ.get(FAST_VAR):
        shorten_timeouts(os.environ[FAST_VAR])
    if os.environ.get("CAMPAIGNS_FAULTS_REPORTS"):  # a weekly report due mid-run: faultkit.mailbox
        from benchmarks.faultkit.mailbox import shift_reports

        shift_reports(os.environ["CAMPAIGNS_FAULTS_REPORTS"])
    from worker.app import app

    app.start(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
