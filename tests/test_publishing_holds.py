"""Rate limits and rejected credentials hold an account; transient errors back off, then give up."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns import demo_accounts
from campaigns.publishing import Context, sweep
from campaigns.publishing.alerts import QUOTA_RECHECK_EVERY, RECHECK_EVERY
from campaigns.publishing.policy import MAX_ATTEMPTS
from campaigns.store.account_states import flag_credentials
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.publishing_fixtures import (
    SharedClock,
    account_row,
    attempts_of,
    image,
    post_row,
    tick,
)

IDS = [f"ssw-week:d1p{n}:twitter" for n in (1, 2, 3)]


def three_due_posts(session: Session) -> None:
    add_campaign(session)
    for n, post_id in enumerate(IDS, start=1):
        add_post(session, post_id, text=f"Day 1, post {n}: thank a social worker #SSW")


def test_it_holds_a_rate_limited_account_until_the_reset_without_burning_attempts(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    three_due_posts(session)
    sandbox.add_fault(kind="rate_limit", platform="x", method="POST", path="/2/tweets", times=1)

    results = tick(ctx)

    assert [r.outcome for r in results] == ["rate_limited", "released", "released"]
    account = account_row(engine, "twitter", "default")
    assert account is not None and account.rate_limited_until is not None
    reset = account.rate_limited_until
    assert clock.now < reset <= clock.now + timedelta(minutes=15)
    first = post_row(engine, IDS[0])
    assert (first.status, first.attempts, first.next_attempt_at) == ("scheduled", 0, reset)
    assert [a.outcome for a in attempts_of(engine, IDS[0])] == ["rate_limited"]
    clock.to(reset - timedelta(seconds=1))
    assert tick(ctx) == []  # held: not even claimed

    clock.to(reset + timedelta(seconds=1))
    assert [r.outcome for r in tick(ctx)] == ["published"] * 3

    assert len(sandbox.posts()) == 3
    assert [post_row(engine, i).attempts for i in IDS] == [1, 1, 1]


def test_it_flags_an_account_with_revoked_credentials_once_and_holds_its_posts(
    ctx: Context,
    session: Session,
    engine: Engine,
    sandbox: SandboxHandle,
    clock: SharedClock,
    caplog: pytest.LogCaptureFixture,
):
    three_due_posts(session)
    sandbox.add_fault(kind="revoke", platform="x", account=demo_accounts.X_USERNAME)

    results = tick(ctx)
    clock.advance(60)
    sweep(ctx, sending_timeout=timedelta(seconds=150))  # not yet time to check the account again
    assert tick(ctx) == []

    alerts = [r for r in caplog.records if r.name == "campaigns.alerts"]
    assert [r.outcome for r in results] == ["held", "released", "released"]
    assert len(alerts) == 1 and alerts[0].levelno == logging.ERROR
    assert (
        alerts[0]
        .getMessage()
        .startswith("ALERT twitter/default needs attention: credentials rejected: Unauthorized (HTTP 401).")
    )
    account = account_row(engine, "twitter", "default")
    assert account is not None and account.attention_needed and account.alert_sent_at is not None
    assert {post_row(engine, i).status for i in IDS} == {"scheduled"}
    assert [post_row(engine, i).attempts for i in IDS] == [0, 0, 0]
    assert sandbox.posts() == []


def test_it_resumes_a_flagged_account_once_its_credentials_work_again(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    three_due_posts(session)
    sandbox.add_fault(kind="revoke", platform="x", account=demo_accounts.X_USERNAME)
    tick(ctx)
    clock.advance(RECHECK_EVERY.total_seconds() + 1)
    assert sweep(ctx, sending_timeout=timedelta(seconds=150)).accounts_cleared == []  # still revoked

    sandbox.clear_faults()
    clock.advance(RECHECK_EVERY.total_seconds() + 1)
    assert sweep(ctx, sending_timeout=timedelta(seconds=150)).accounts_cleared == ["twitter/default"]
    tick(ctx)

    assert len(sandbox.posts()) == 3
    account = account_row(engine, "twitter", "default")
    assert account is not None and not account.attention_needed and account.alert_sent_at is None


def test_it_retries_a_failed_upload_after_a_backoff_and_publishes(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock, tmp_path: Path
):
    add_campaign(session)
    add_post(session, IDS[0], media=[{"path": str(image(tmp_path)), "alt": "A dot"}])
    sandbox.add_fault(kind="error", platform="x", method="POST", path="/2/media/upload", status=502, times=1)

    [result] = tick(ctx)

    post = post_row(engine, IDS[0])
    assert (result.outcome, post.status, post.attempts) == ("retry", "scheduled", 1)
    assert post.status_reason is not None
    assert post.status_reason.startswith("try 1 failed: ") and post.status_reason.endswith("(HTTP 502)")
    assert post.next_attempt_at is not None
    assert timedelta(seconds=7.5) <= post.next_attempt_at - clock.now <= timedelta(seconds=15)
    clock.to(post.next_attempt_at)
    tick(ctx)

    [truth] = sandbox.posts()
    assert post_row(engine, IDS[0]).status == "published" and len(truth["media"]) == 1
    assert [a.outcome for a in attempts_of(engine, IDS[0])] == ["retry", "published"]


def test_it_gives_up_after_the_last_attempt_with_the_error_in_one_line(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock, tmp_path: Path
):
    add_campaign(session)
    add_post(session, IDS[0], media=[{"path": str(image(tmp_path)), "alt": "A dot"}])
    sandbox.add_fault(kind="error", platform="x", method="POST", path="/2/media/upload", status=503)

    waits = []
    for _ in range(MAX_ATTEMPTS):
        tick(ctx)
        post = post_row(engine, IDS[0])
        if post.next_attempt_at is not None and post.status == "scheduled":
            waits.append(post.next_attempt_at - clock.now)
            clock.to(post.next_attempt_at)

    post = post_row(engine, IDS[0])
    assert (post.status, post.attempts) == ("failed", MAX_ATTEMPTS)
    assert post.status_reason is not None and "\n" not in post.status_reason
    assert post.status_reason.startswith(f"gave up after {MAX_ATTEMPTS} tries: ")
    assert post.status_reason.endswith("(HTTP 503)")
    assert waits == sorted(waits) and len(waits) == MAX_ATTEMPTS - 1  # each wait longer than the last
    assert sandbox.posts() == []


def test_it_tries_an_account_with_a_spent_quota_again_only_hourly(
    ctx: Context, session: Session, engine: Engine, clock: SharedClock
):
    flag_credentials(
        session=session,
        platform="twitter",
        account="default",
        reason="quota exhausted: Usage cap exceeded",
        now=clock.now,
    )
    session.commit()

    clock.advance(RECHECK_EVERY.total_seconds() + 1)
    early = sweep(ctx, sending_timeout=timedelta(seconds=150)).accounts_cleared
    clock.advance(QUOTA_RECHECK_EVERY.total_seconds())
    late = sweep(ctx, sending_timeout=timedelta(seconds=150)).accounts_cleared

    assert (early, late) == ([], ["twitter/default"])
