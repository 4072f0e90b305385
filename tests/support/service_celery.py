"""``python -m tests.support.service_celery worker|beat ...``: the real Celery app, with shorter timeouts.

The process-level tests cannot wait the production timeouts out (a `sending` row is reconciled
150 s after its worker died; the sweep runs every 10 s), so the environment may shorten them:

- ``CAMPAIGNS_TEST_TASK_TIME_LIMIT``: the task time limit, seconds; the sweep's SENDING_TIMEOUT
  follows it (+1 s), as scheduler/tasks.py derives it in production;
- ``CAMPAIGNS_TEST_SWEEP_EVERY`` (the sweep and the reconciliation), ``CAMPAIGNS_TEST_SYNC_SPECS_EVERY``:
  beat periods, seconds;
- ``CAMPAIGNS_TEST_RECONCILE_SETTLE``: seconds before "not on the platform" counts as "never
  arrived" (30 s in production, for real platforms' lagging timelines; the sandbox has no lag);
- ``CAMPAIGNS_FAULTS_CLOCK_FILE``: a file of seconds added to the service's whole time
  (``campaigns.clock.utc_now``, the database's clock included; benchmarks/faultkit/launch.py), e.g.
  a week on for next Monday's reports. (The fault harness moves the hosts' clocks instead.)

Everything else is exactly what ``celery -A worker`` runs.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from benchmarks.faultkit.launch import CLOCK_VAR, install_clock_offset

TIME_LIMIT_VAR = "CAMPAIGNS_TEST_TASK_TIME_LIMIT"
SETTLE_VAR = "CAMPAIGNS_TEST_RECONCILE_SETTLE"
EVERY_VARS = {
    "sweep": "CAMPAIGNS_TEST_SWEEP_EVERY",
    "reconcile": "CAMPAIGNS_TEST_SWEEP_EVERY",  # the sweep's other half (worker.queues)
    "sync-specs": "CAMPAIGNS_TEST_SYNC_SPECS_EVERY",
}


def _celery_main(argv: list[str]) -> None:
    import campaigns.publishing.reconcile
    import scheduler.tasks
    from worker.app import app

    if os.environ.get(CLOCK_VAR):
        install_clock_offset(Path(os.environ[CLOCK_VAR]), which="utc_now")
    limit = os.environ.get(TIME_LIMIT_VAR)
    if limit:
        app.conf.task_time_limit = float(limit)
        scheduler.tasks.SENDING_TIMEOUT = timedelta(seconds=float(limit) + 1)
    if os.environ.get(SETTLE_VAR):
        campaigns.publishing.reconcile.RECONCILE_SETTLE = timedelta(seconds=float(os.environ[SETTLE_VAR]))
    schedule = dict(app.conf.beat_schedule)
    for entry, var in EVERY_VARS.items():
        if os.environ.get(var):
            every = float(os.environ[var])
            schedule[entry] = {**schedule[entry], "schedule": every, "options": {"expires": every * 0.9}}
    app.conf.beat_schedule = schedule
    app.start(argv)


if __name__ == "__main__":
    _celery_main(sys.argv[1:])
