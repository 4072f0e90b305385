"""The pure half of publishing: what to do after a platform error, and how long to wait. No I/O.

Every function takes ``now`` (and, for jitter, a ``random.Random``), so each rule is tested
without a clock, a database or a platform.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.platforms.errors import (
    AlreadyPublished,
    CredentialsRejected,
    OutcomeUnknown,
    PlatformError,
    QuotaExhausted,
    RateLimited,
    RejectedPost,
    TransientError,
)
from campaigns.store.models import PostStatus

MAX_ATTEMPTS = 5  # tries of one post (rate limits and credential holds do not count)
BACKOFF_BASE = timedelta(seconds=15)  # after the first failed try; doubles with each further try
BACKOFF_CAP = timedelta(minutes=10)
# Once the dispatcher has claimed a post ahead of its time, the task waits out the rest, but
# never longer than this (a clock that is far off should not park a worker).
MAX_EARLY_WAIT = timedelta(seconds=5)
# A create whose outcome is unknown may show up on the platform a little later (X and Graph both
# read from replicas). "Not found" is trusted only once this long has passed since the attempt.
RECONCILE_SETTLE = timedelta(seconds=30)
# How far before the attempt to look for the post: covers a platform clock behind ours.
RECONCILE_LOOKBACK = timedelta(minutes=10)


# The most requests one part of a post makes while its row is not updated: an image upload, its alt
# text and the create (a post carries at most one image; see campaigns.spec).
REQUESTS_PER_PART = 3
# The shortest lease of a `sending` row: Celery's prefork hard limit (worker.app, 120 s) plus a margin.
MIN_SENDING_LEASE = timedelta(seconds=150)


def sending_lease(http_timeout: float) -> timedelta:
    """How long a ``sending`` row may go without an update before the sweep takes it as orphaned.

    It must outlast the worst a live worker can take between two updates of the row, whatever the
    pool (prefork kills a task at its time limit; solo and threads do not): every request is capped
    at ``http_timeout`` in all (campaigns.platforms.http), and a part makes at most
    ``REQUESTS_PER_PART`` of them before its id is recorded. Twice that, and never under
    ``MIN_SENDING_LEASE``. That also covers a post of a message of several (``batch``): all are
    ``sending`` from the message's start, and the last starts within ``batch.BUDGET`` (30 s).
    """
    worst = timedelta(seconds=REQUESTS_PER_PART * http_timeout)
    return max(MIN_SENDING_LEASE, 2 * worst)


def backoff(attempt: int, rng: random.Random) -> timedelta:
    """The wait after failed try number ``attempt`` (1-based): exponential, capped, with jitter.

    "Equal jitter": half the exponential delay is kept, the other half drawn at random, so that
    posts failing together (one outage) do not all come back in the same second.
    """
    exponential = min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(max(0, attempt - 1), 30)))
    half = exponential / 2
    return half + half * rng.random()


@dataclass(frozen=True, slots=True)
class Decision:
    """What becomes of a post (and its account) after its try failed with an error."""

    outcome: str  # recorded on the attempt: retry | rate_limited | held | unconfirmed | duplicate | failed
    status: PostStatus  # the post's next status
    reason: str  # one line for people (status_reason); the error itself goes to last_error
    next_attempt_at: datetime | None = None
    hold_account_until: datetime | None = None  # a rate limit: the whole account waits
    flag_account: bool = False  # credentials or quota: the account needs a person
    refund_attempt: bool = False  # the try does not count against MAX_ATTEMPTS
    reconcile_now: bool = False  # ask the platform at once whether the post is there


def decide(error: PlatformError, *, attempt: int, now: datetime, rng: random.Random) -> Decision:
    """The decision for try number ``attempt`` of a post that failed with ``error`` at ``now``."""
    if isinstance(error, RateLimited):
        until = max(error.reset_at, now)
        return Decision(
            "rate_limited",
            PostStatus.SCHEDULED,
            f"rate limited until {until:%H:%M:%S} UTC",
            next_attempt_at=until,
            hold_account_until=until,
            refund_attempt=True,
        )
    if isinstance(error, CredentialsRejected | QuotaExhausted):
        # Held by the account's flag (the claim query skips it) until a person fixes it.
        return Decision(
            "held", PostStatus.SCHEDULED, f"held: {error.message}", flag_account=True, refund_attempt=True
        )
    if isinstance(error, AlreadyPublished):
        return Decision("duplicate", PostStatus.UNCONFIRMED, "already on the platform", reconcile_now=True)
    if isinstance(error, OutcomeUnknown):
        return Decision(
            "unconfirmed", PostStatus.UNCONFIRMED, f"outcome unknown: {error.message}", reconcile_now=True
        )
    if isinstance(error, RejectedPost):
        return Decision("failed", PostStatus.FAILED, f"{error.platform} refused it: {error.reason}")
    if isinstance(error, TransientError):
        return retry_or_give_up(error.message, attempt=attempt, now=now, rng=rng)
    return Decision("failed", PostStatus.FAILED, f"{error.platform} error: {error.message}")


def retry_or_give_up(message: str, *, attempt: int, now: datetime, rng: random.Random) -> Decision:
    """Back to the schedule after a backoff, or failed once MAX_ATTEMPTS tries have been made."""
    if attempt >= MAX_ATTEMPTS:
        return Decision("failed", PostStatus.FAILED, f"gave up after {attempt} tries: {message}")
    return Decision(
        "retry",
        PostStatus.SCHEDULED,
        f"try {attempt} failed: {message}",
        next_attempt_at=now + backoff(attempt, rng),
    )


def early_wait(*, scheduled_at: datetime, now: datetime) -> float:
    """Seconds to wait before sending a post claimed ahead of its time (0 when it is due)."""
    gap = scheduled_at - now
    return max(0.0, min(gap, MAX_EARLY_WAIT).total_seconds())


def describe_lateness(seconds: float) -> str:
    """``0.21 s after its time``, ``3 min after its time``, ``0.05 s before its time``."""
    word = "after" if seconds >= 0 else "before"
    size = abs(seconds)
    if size < 60:
        return f"{size:.2f} s {word} its time"
    if size < 3600:
        return f"{size / 60:.0f} min {word} its time"
    return f"{size / 3600:.1f} h {word} its time"


def account_unusable(message: str) -> Decision:
    """The post's account cannot be used at all (not configured): held like rejected credentials."""
    return Decision("held", PostStatus.SCHEDULED, f"held: {message}", flag_account=True, refund_attempt=True)
