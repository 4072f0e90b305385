"""After a platform error: record the failed try, and move the post (and maybe its account) as the
policy decided (``policy.decide``): retry later, wait for a rate-limit window, hold the account,
fail, or ask the platform whether the post went out (``unconfirmed``, reconciled at once)."""

from __future__ import annotations

from campaigns.platforms import PlatformError
from campaigns.publishing.alerts import flag_account, send_alert
from campaigns.publishing.context import AccountNotConfigured, Context
from campaigns.publishing.outcome import PublishResult, Sending, log, taken_over
from campaigns.publishing.policy import Decision
from campaigns.publishing.reconcile import reconcile_post
from campaigns.store.account_states import hold_account
from campaigns.store.attempts import finish_attempt
from campaigns.store.db import session_scope
from campaigns.store.models import PostStatus as S
from campaigns.store.states import RELEASED, transition


def record_failure(
    ctx: Context, job: Sending, decision: Decision, error: PlatformError | AccountNotConfigured
) -> PublishResult:
    """Record a failed try and move the post (and maybe its account) as ``decision`` says."""
    post = job.post
    problem = f"{error.kind}: {error.message}" if isinstance(error, PlatformError) else str(error)
    alert = False
    with session_scope(ctx.engine) as session:
        now = ctx.clock()
        values: dict[str, object] = {
            "status_reason": decision.reason,
            "next_attempt_at": decision.next_attempt_at,
            **RELEASED,
        }
        if decision.refund_attempt:
            values["attempts"] = job.attempt - 1
        moved = transition(
            session=session,
            post_id=post.id,
            expected=S.SENDING,
            to=decision.status,
            now=now,
            values=values,
            owner=job.token,
        )
        if not moved:  # the post is someone else's now: nothing of this try is ours to record
            return taken_over(post, None, f"{decision.reason}")
        finish_attempt(
            session=session,
            attempt_id=job.attempt_id,
            now=now,
            outcome=decision.outcome,
            error=str(error),
            started_at=job.started_at,
        )
        if decision.hold_account_until is not None:
            hold_account(
                session=session,
                platform=post.channel,
                account=post.account,
                until=decision.hold_account_until,
                reason=decision.reason,
                now=now,
            )
        if decision.flag_account:
            alert = flag_account(
                session=session, platform=post.channel, account=post.account, reason=problem, now=now
            )
    if alert:
        send_alert(post.channel, post.account, problem)
    _log_decision(post.id, decision)
    if decision.reconcile_now:
        return reconcile_post(ctx, post.id)
    return PublishResult(post.id, decision.outcome, decision.reason)


def _log_decision(post_id: str, decision: Decision) -> None:
    if decision.status == S.FAILED:
        log.warning("failed %s: %s", post_id, decision.reason)
    elif decision.status == S.UNCONFIRMED:
        log.warning("unconfirmed %s: %s; asking the platform", post_id, decision.reason)
    else:
        when = f" (next try {decision.next_attempt_at:%H:%M:%S} UTC)" if decision.next_attempt_at else ""
        log.info("not yet %s: %s%s", post_id, decision.reason, when)
