"""The sweep: recover from crashes and lost messages, settle unconfirmed posts, mark missed ones.

Run every few seconds by the beat. Each step is a bulk conditional UPDATE or goes through the same
reconciliation as a worker, so a sweep that overlaps with another (or with a worker) is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from campaigns.publishing.alerts import recheck_accounts
from campaigns.publishing.context import Context
from campaigns.publishing.outcome import PublishResult, log
from campaigns.publishing.reconcile import reconcile_post
from campaigns.store.db import session_scope
from campaigns.store.dispatch import MISSED_REASON, mark_missed_posts
from campaigns.store.pipeline import expire_sending, release_stale_claims, unconfirmed_ids

# A claim whose task has not started after this long lost its message (a worker died holding
# it, or the embedded broker lost it): the post goes back to the schedule.
CLAIM_TIMEOUT = timedelta(seconds=60)
RECONCILE_BATCH = 50  # unconfirmed posts asked about per sweep


@dataclass(frozen=True, slots=True)
class SweepResult:
    released: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    reconciled: list[PublishResult] = field(default_factory=list)
    accounts_cleared: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = {
            "claims released": len(self.released),
            "sending expired": len(self.expired),
            "missed": len(self.missed),
            "reconciled": len(self.reconciled),
            "accounts cleared": len(self.accounts_cleared),
        }
        return ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing to do"


def sweep(
    ctx: Context,
    *,
    sending_timeout: timedelta,
    claim_timeout: timedelta = CLAIM_TIMEOUT,
    batch: int = RECONCILE_BATCH,
) -> SweepResult:
    """One whole pass: ``recover`` then ``settle``. The beat runs the two as separate tasks on
    separate queues (worker.queues), so that slow platforms never hold up a tick."""
    recovered = recover(ctx, sending_timeout=sending_timeout, claim_timeout=claim_timeout)
    settled = settle(ctx, batch=batch)
    return SweepResult(
        recovered.released, recovered.expired, recovered.missed, settled.reconciled, settled.accounts_cleared
    )


def recover(
    ctx: Context, *, sending_timeout: timedelta, claim_timeout: timedelta = CLAIM_TIMEOUT
) -> SweepResult:
    """Release lost claims, expire orphaned ``sending`` rows, mark missed posts: database only, quick.

    ``sending_timeout`` must exceed the longest a publish task may run (its time limit): a
    ``sending`` row older than that has no live worker behind it."""
    now = ctx.clock()
    with session_scope(ctx.engine) as session:
        released = release_stale_claims(session=session, now=now, older_than=claim_timeout)
        expired = expire_sending(session=session, now=now, older_than=sending_timeout)
        missed = mark_missed_posts(session=session, now=now)
    for post_id in released:
        log.info("released the claim on %s: its task never started", post_id)
    for post_id in expired:
        log.warning("unconfirmed %s: its worker stopped while sending it; asking the platform", post_id)
    for post_id in missed:
        log.warning("missed %s: %s", post_id, MISSED_REASON)
    return SweepResult(released=released, expired=expired, missed=missed)


def settle(ctx: Context, *, batch: int = RECONCILE_BATCH) -> SweepResult:
    """Ask the platforms about unconfirmed posts and re-check flagged accounts: may take a while
    (each question is an HTTP call of up to HTTP_TIMEOUT)."""
    with session_scope(ctx.engine) as session:
        unconfirmed = unconfirmed_ids(session=session, limit=batch)
    reconciled = [reconcile_post(ctx, post_id) for post_id in unconfirmed]
    cleared = recheck_accounts(ctx)
    return SweepResult(reconciled=reconciled, accounts_cleared=cleared)
