"""``python -m benchmarks.faultkit.launch worker|beat ...``: the real Celery app, with two test knobs.

- ``CAMPAIGNS_FAULTS_CLOCK_FILE``: a file holding seconds added to the service's clock
  (``campaigns.clock.utc_now``), read on every call: the harness steps the service's wall clock
  forward and back without touching the machine's. ``utc_now``'s code object is replaced, so
  every reference to it (default arguments included) sees the offset; Celery's own timers
  (ETAs, beat intervals) keep the machine's clock, as they would under NTP slewing.
- ``CAMPAIGNS_FAULTS_FAST``: ``time_limit,settle,sweep_every`` seconds: the sweep and
  reconciliation timeouts shortened, the sweep and the spec sync run every ``sweep_every`` (as tests/support/service_celery.py does), so that a short
  run recovers within seconds instead of the production 150 s.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

CLOCK_VAR = "CAMPAIGNS_FAULTS_CLOCK_FILE"
FAST_VAR = "CAMPAIGNS_FAULTS_FAST"


def read_offset(path: Path) -> timedelta:
    try:
        return timedelta(seconds=float(path.read_text() or 0))
    except (OSError, ValueError):  # being rewritten: no offset for this one call
        return timedelta(0)


def install_clock_offset(path: Path) -> None:
    import campaigns.clock

    def offset_now() -> datetime:  # runs with campaigns.clock's globals: see below
        return datetime.now(UTC) + _faults_offset()  # type: ignore[name-defined]  # noqa: F821

    campaigns.clock._faults_offset = lambda: read_offset(path)  # type: ignore[attr-defined]
    campaigns.clock.utc_now.__code__ = offset_now.__code__


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
