"""The beat schedule: what the (single, leased) beat sends, and how often.

The database is the schedule of posts; the beat only ticks. Each entry ``expires`` just under its
period, so a backlog (workers busy or down) never piles up copies of the same tick: a stale tick
is dropped and the next one does the work. Which queue each task goes to is worker.queues' ROUTES.
Metrics gathering and weekly reports will be entries here too.
"""

from __future__ import annotations

from typing import Any

DISPATCH_EVERY = 1.0  # seconds; with the dispatcher's 3 s look-ahead, posts are in hand before their second
SWEEP_EVERY = 10.0
RECONCILE_EVERY = 10.0
SYNC_SPECS_EVERY = 10.0


def _every(seconds: float, task: str) -> dict[str, Any]:
    return {"task": task, "schedule": seconds, "options": {"expires": seconds * 0.9}}


BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "dispatch-due-posts": _every(DISPATCH_EVERY, "scheduler.tasks.dispatch_due"),
    "sweep": _every(SWEEP_EVERY, "scheduler.tasks.sweep"),
    "reconcile": _every(RECONCILE_EVERY, "scheduler.tasks.reconcile"),
    "sync-specs": _every(SYNC_SPECS_EVERY, "scheduler.tasks.sync_specs"),
}
