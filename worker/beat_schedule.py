"""The beat schedule: what the (single, leased) beat sends, and how often.

The database is the schedule of posts; the beat only ticks. Each entry ``expires`` just under its
period, so a backlog (workers busy or down) never piles up copies of the same tick: a stale tick
is dropped and the next one does the work. Which queue each task goes to is worker.queues' ROUTES:
ticks, publishing, reconciliation and metrics (with the weekly reports and alerts) each have their own,
so that none of them waits behind another.

It is one of the Celery app's settings (``worker.app``), so it lives beside the app: the
scheduler's tasks import the app to register themselves, and the app names them only by string,
so `worker` never imports `scheduler` (no cycle between the two packages).
"""

from __future__ import annotations

from typing import Any

DISPATCH_EVERY = 1.0  # seconds; with the dispatcher's 3 s look-ahead, posts are in hand before their second
SWEEP_EVERY = 10.0
RECONCILE_EVERY = 10.0
SYNC_SPECS_EVERY = 10.0
WEEKLY_REPORTS_EVERY = 3600.0  # sends each report once its Monday 08:00 local has passed
ALERTS_EVERY = 300.0  # each problem is e-mailed at most hourly (alerts_sent), so checking often is cheap


def _every(seconds: float, task: str) -> dict[str, Any]:
    """An entry; its queue comes from worker.queues.ROUTES."""
    return {"task": task, "schedule": seconds, "options": {"expires": seconds * 0.9}}


BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "dispatch-due-posts": _every(DISPATCH_EVERY, "scheduler.tasks.dispatch_due"),
    "sweep": _every(SWEEP_EVERY, "scheduler.tasks.sweep"),
    "reconcile": _every(RECONCILE_EVERY, "scheduler.tasks.reconcile"),
    "sync-specs": _every(SYNC_SPECS_EVERY, "scheduler.tasks.sync_specs"),
    "weekly-reports": _every(WEEKLY_REPORTS_EVERY, "worker.report_tasks.send_weekly_reports"),
    "alerts": _every(ALERTS_EVERY, "worker.report_tasks.send_alerts"),
}

COLLECT_METRICS = "worker.tasks.collect_metrics"


def metrics_entries(every: float) -> dict[str, dict[str, Any]]:
    """The collector's tick (every min(METRICS_YOUNG_INTERVAL, METRICS_INTERVAL) seconds)."""
    return {"collect-metrics": _every(every, COLLECT_METRICS)}
