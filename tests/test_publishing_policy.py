"""The pure rules: what each platform error does to a post, backoff, waiting, wording. No I/O."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.platforms import (
    AlreadyPublished,
    CredentialsRejected,
    OutcomeUnknown,
    QuotaExhausted,
    RateLimited,
    RejectedPost,
    TransientError,
)
from campaigns.publishing.policy import (
    BACKOFF_CAP,
    MAX_ATTEMPTS,
    MAX_EARLY_WAIT,
    backoff,
    decide,
    describe_lateness,
    early_wait,
)
from campaigns.store.models import PostStatus

NOW = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
WHERE = {"platform": "twitter", "account": "default"}


def decision(error: Exception, attempt: int = 1):  # type: ignore[no-untyped-def]
    return decide(error, attempt=attempt, now=NOW, rng=random.Random(1))  # type: ignore[arg-type]


def test_it_backs_off_exponentially_with_jitter_up_to_a_cap():
    rng = random.Random(3)
    waits = [backoff(attempt, rng) for attempt in range(1, 12)]

    assert timedelta(seconds=7.5) <= waits[0] <= timedelta(seconds=15)
    assert timedelta(seconds=15) <= waits[1] <= timedelta(seconds=30)
    assert all(BACKOFF_CAP / 2 <= w <= BACKOFF_CAP for w in waits[7:])


def test_it_spreads_the_retries_of_posts_that_failed_together():
    rng = random.Random(5)
    assert len({backoff(3, rng) for _ in range(20)}) == 20


def test_it_holds_the_account_until_the_reset_on_a_rate_limit_without_counting_the_try():
    reset = NOW + timedelta(minutes=12)
    d = decision(RateLimited("Too Many Requests", reset_at=reset, **WHERE))
    assert (d.status, d.next_attempt_at, d.hold_account_until, d.refund_attempt) == (
        PostStatus.SCHEDULED,
        reset,
        reset,
        True,
    )
    assert d.reason == "rate limited until 09:12:00 UTC"


def test_it_never_holds_an_account_until_a_reset_in_the_past():
    d = decision(RateLimited("Too Many Requests", reset_at=NOW - timedelta(minutes=1), **WHERE))
    assert d.hold_account_until == NOW


@pytest.mark.parametrize(
    "error",
    [
        CredentialsRejected("Unauthorized (HTTP 401)", code=401, **WHERE),
        QuotaExhausted("Usage cap exceeded", **WHERE),
    ],
)
def test_it_flags_the_account_and_keeps_the_post_for_credentials_and_quota(error: Exception):
    d = decision(error)
    assert (d.status, d.flag_account, d.refund_attempt, d.next_attempt_at) == (
        PostStatus.SCHEDULED,
        True,
        True,
        None,
    )


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (OutcomeUnknown("timed out waiting for the platform", **WHERE), "unconfirmed"),
        (
            AlreadyPublished("You are not allowed to create a Tweet with duplicate content.", **WHERE),
            "duplicate",
        ),
    ],
)
def test_it_asks_the_platform_when_the_post_may_be_there(error: Exception, outcome: str):
    d = decision(error)
    assert (d.outcome, d.status, d.reconcile_now) == (outcome, PostStatus.UNCONFIRMED, True)


def test_it_fails_a_rejected_post_with_the_platforms_own_words():
    d = decision(RejectedPost("Your Tweet text is too long. (HTTP 400)", **WHERE))
    assert (d.status, d.reason) == (
        PostStatus.FAILED,
        "twitter refused it: Your Tweet text is too long. (HTTP 400)",
    )


def test_it_retries_a_transient_error_until_the_last_attempt():
    error = TransientError("cannot connect to the platform", **WHERE)
    retry, last = decision(error, attempt=MAX_ATTEMPTS - 1), decision(error, attempt=MAX_ATTEMPTS)
    assert (
        retry.status == PostStatus.SCHEDULED
        and retry.next_attempt_at is not None
        and retry.next_attempt_at > NOW
    )
    assert (last.status, last.reason) == (
        PostStatus.FAILED,
        f"gave up after {MAX_ATTEMPTS} tries: cannot connect to the platform",
    )


@pytest.mark.parametrize(
    ("scheduled_in", "wait"),
    [
        (timedelta(seconds=-3), 0.0),
        (timedelta(seconds=0.4), 0.4),
        (timedelta(minutes=5), MAX_EARLY_WAIT.total_seconds()),
    ],
)
def test_it_waits_out_the_look_ahead_but_never_long(scheduled_in: timedelta, wait: float):
    assert early_wait(scheduled_at=NOW + scheduled_in, now=NOW) == pytest.approx(wait)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.213, "0.21 s after its time"),
        (-0.05, "0.05 s before its time"),
        (180, "3 min after its time"),
        (9000, "2.5 h after its time"),
    ],
)
def test_it_says_how_late_a_post_went_out(seconds: float, text: str):
    assert describe_lateness(seconds) == text
