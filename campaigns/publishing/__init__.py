"""Publishing: one post exactly once, the dispatcher's tick, the sweep, reconciliation, account alerts.

The Celery tasks in ``worker/`` and ``scheduler/`` are thin wrappers around these functions, which
take a ``Context`` (database, platform adapters, clock) and a post id, and can be called directly.
"""

from __future__ import annotations

from campaigns.publishing.batch import publish_batch
from campaigns.publishing.context import Context, PlatformPool
from campaigns.publishing.dispatch import DispatchResult, dispatch_due
from campaigns.publishing.outcome import PublishResult
from campaigns.publishing.publish import publish_post
from campaigns.publishing.reconcile import reconcile_post
from campaigns.publishing.sweep import SweepResult, recover, settle, sweep

__all__ = [
    "Context",
    "DispatchResult",
    "PlatformPool",
    "PublishResult",
    "SweepResult",
    "dispatch_due",
    "publish_batch",
    "publish_post",
    "reconcile_post",
    "recover",
    "settle",
    "sweep",
]
