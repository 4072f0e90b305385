"""When it is unknown whether the platform got a post: never re-sent blindly, always settled by asking it.

Each test ends with the sandbox's ground truth: exactly one post (or one chain of thread parts).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns import demo_accounts
from campaigns.publishing import Context, dispatch_due, publish_post, reconcile_post, sweep
from campaigns.publishing.policy import RECONCILE_SETTLE
from campaigns.store.models import PostStatus
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.publishing_fixtures import (
    Crash,
    CrashAfterParts,
    Queue,
    SharedClock,
    attempts_of,
    make_context,
    post_row,
    tick,
)

PID = "ssw-week:d1p1:twitter"
TEXT = "Day 1: thank a social worker today #SSW"
CREATE = {"twitter": ("x", "/2/tweets"), "facebook": ("facebook", "/*/feed")}
SENDING_TIMEOUT = timedelta(seconds=150)


def fault_on_create(sandbox: SandboxHandle, channel: str, kind: str, **extra: object) -> None:
    platform, path = CREATE[channel]
    sandbox.add_fault(kind=kind, platform=platform, method="POST", path=path, times=1, **extra)


def settle_and_retry(ctx: Context, clock: SharedClock) -> None:
    """Time passes, the sweep reconciles, the backoff passes, the next tick sends."""
    clock.advance(RECONCILE_SETTLE.total_seconds() + 1)
    sweep(ctx, sending_timeout=SENDING_TIMEOUT)
    next_try = post_row(ctx.engine, PID).next_attempt_at
    assert next_try is not None
    clock.to(next_try)
    tick(ctx)


@pytest.mark.parametrize("channel", ["twitter", "facebook"])
def test_it_finds_a_post_whose_connection_was_cut_after_the_platform_took_it(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, channel: str
):
    add_campaign(session)
    add_post(session, PID, channel=channel, text=TEXT)
    fault_on_create(sandbox, channel, "cut")

    [result] = tick(ctx)

    [truth] = sandbox.posts()
    post = post_row(engine, PID)
    assert (result.outcome, result.detail) == ("published", "found on the platform")
    assert (post.status, post.remote_ids) == ("published", [truth["id"]])
    assert [a.outcome for a in attempts_of(engine, PID)] == ["unconfirmed: published"]


def test_it_sends_again_only_after_a_hung_request_proves_not_to_have_arrived(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    ctx = make_context(engine, sandbox, clock, http_timeout=0.5)
    add_campaign(session)
    add_post(session, PID, text=TEXT)
    fault_on_create(sandbox, "twitter", "hang")

    [result] = tick(ctx)
    assert (result.outcome, result.detail) == ("unconfirmed", "not visible on the platform yet")
    assert post_row(engine, PID).status == PostStatus.UNCONFIRMED

    sweep(ctx, sending_timeout=SENDING_TIMEOUT)  # too soon: "not found" is not trusted yet
    assert post_row(engine, PID).status == PostStatus.UNCONFIRMED

    settle_and_retry(ctx, clock)

    [truth] = sandbox.posts()
    post = post_row(engine, PID)
    assert (post.status, post.remote_ids, post.attempts) == ("published", [truth["id"]], 2)
    assert [a.outcome for a in attempts_of(engine, PID)] == ["unconfirmed: scheduled", "published"]


def test_it_treats_a_server_error_on_a_create_as_unknown_then_backs_off_and_publishes(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, PID, text=TEXT)
    fault_on_create(sandbox, "twitter", "error", status=503)

    tick(ctx)
    clock.advance(RECONCILE_SETTLE.total_seconds() + 1)
    sweep(ctx, sending_timeout=SENDING_TIMEOUT)

    post = post_row(engine, PID)
    assert post.status == "scheduled" and post.next_attempt_at is not None
    assert timedelta(seconds=7.5) <= post.next_attempt_at - clock.now <= timedelta(seconds=15)
    assert tick(ctx) == []  # still backing off

    clock.to(post.next_attempt_at)
    tick(ctx)

    assert post_row(engine, PID).status == "published" and len(sandbox.posts()) == 1


@pytest.mark.parametrize("channel", ["twitter", "facebook"])
def test_it_settles_a_duplicate_refusal_as_published_with_the_id_it_finds(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, channel: str
):
    add_campaign(session)
    add_post(session, PID, channel=channel, text=TEXT)
    earlier = ctx.platforms.get(channel, "default").publish(TEXT)  # e.g. by a worker that then died

    [result] = tick(ctx)

    post = post_row(engine, PID)
    assert (result.outcome, post.status, post.remote_ids) == ("published", "published", [earlier.id])
    assert len(sandbox.posts()) == 1
    assert [a.outcome for a in attempts_of(engine, PID)] == ["duplicate: published"]


def test_it_resumes_a_thread_after_the_last_part_recorded_when_a_worker_dies_mid_thread(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    parts = [
        "1/3 Why social service workers matter",
        "2/3 They keep families together",
        "3/3 Thank one today",
    ]
    add_campaign(session)
    add_post(session, PID, text=parts[0], thread=parts)
    dying = make_context(engine, sandbox, clock, wrap=lambda p: CrashAfterParts(p, parts=1))  # type: ignore[arg-type, return-value]
    queue = Queue()
    dispatch_due(dying, queue)

    with pytest.raises(Crash):
        publish_post(dying, PID)

    post = post_row(engine, PID)
    assert (post.status, len(post.remote_ids)) == ("sending", 1)
    ctx = make_context(engine, sandbox, clock)
    clock.advance(SENDING_TIMEOUT.total_seconds() + 1)
    swept = sweep(ctx, sending_timeout=SENDING_TIMEOUT)
    assert swept.expired == [PID] and [r.outcome for r in swept.reconciled] == ["rescheduled"]
    next_try = post_row(engine, PID).next_attempt_at
    assert next_try is not None
    clock.to(next_try)
    tick(ctx)

    posts = sandbox.posts()
    assert [p["text"] for p in posts] == parts
    assert [p["in_reply_to"] for p in posts] == [None, posts[0]["id"], posts[1]["id"]]
    post = post_row(engine, PID)
    assert (post.status, post.remote_ids) == ("published", [p["id"] for p in posts])


def test_it_finishes_a_thread_cut_by_an_outage_longer_than_its_late_window(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    parts = ["1/3 Why social service workers matter", "2/3 They keep families together", "3/3 Thank one"]
    add_campaign(session)
    add_post(session, PID, text=parts[0], thread=parts, late_window=timedelta(hours=6))
    dying = make_context(engine, sandbox, clock, wrap=lambda p: CrashAfterParts(p, parts=1))  # type: ignore[arg-type, return-value]
    dispatch_due(dying, Queue())
    with pytest.raises(Crash):
        publish_post(dying, PID)

    clock.advance(timedelta(hours=7).total_seconds())  # everything was down meanwhile
    ctx = make_context(engine, sandbox, clock)
    swept = sweep(ctx, sending_timeout=SENDING_TIMEOUT)
    next_try = post_row(engine, PID).next_attempt_at
    assert swept.missed == [] and next_try is not None
    clock.to(next_try)
    sweep(ctx, sending_timeout=SENDING_TIMEOUT)
    tick(ctx)

    posts = sandbox.posts()
    assert [p["text"] for p in posts] == parts, "half a thread must not stay online"
    assert [p["in_reply_to"] for p in posts] == [None, posts[0]["id"], posts[1]["id"]]
    assert post_row(engine, PID).status == "published"


def test_it_records_a_thread_part_that_arrived_before_the_worker_died_and_sends_only_the_rest(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    parts = ["1/2 Why social service workers matter", "2/2 Thank one today"]
    add_campaign(session)
    add_post(session, PID, text=parts[0], thread=parts)
    ctx = make_context(engine, sandbox, clock)
    sandbox.add_fault(kind="cut", platform="x", method="POST", path="/2/tweets", times=1)

    tick(ctx)  # part 1: cut after the platform took it -> found at once -> the thread resumes
    tick(ctx)

    posts = sandbox.posts()
    assert [p["text"] for p in posts] == parts and posts[1]["in_reply_to"] == posts[0]["id"]
    assert post_row(engine, PID).remote_ids == [p["id"] for p in posts]


def test_it_leaves_a_post_unconfirmed_while_the_platform_cannot_be_asked(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, PID, text=TEXT)
    fault_on_create(sandbox, "twitter", "cut")
    sandbox.add_fault(kind="error", platform="x", method="GET", status=503)

    [result] = tick(ctx)
    clock.advance(RECONCILE_SETTLE.total_seconds() + 1)
    again = reconcile_post(ctx, PID)

    assert result.outcome == again.outcome == "unconfirmed"
    assert again.detail.startswith("cannot ask the platform now: temporary failure")
    sandbox.clear_faults()
    assert reconcile_post(ctx, PID).outcome == "published" and len(sandbox.posts()) == 1


def test_it_reconciles_nothing_but_unconfirmed_posts(ctx: Context, session: Session):
    add_campaign(session)
    add_post(session, PID, status="published", remote_ids=["1"])

    assert reconcile_post(ctx, PID).detail == "it is published"


def test_it_marks_a_post_whose_every_part_was_recorded_published_without_asking(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle
):
    add_campaign(session)
    add_post(session, PID, status="unconfirmed", remote_ids=["1500000000000009999"])
    sandbox.add_fault(kind="revoke", platform="x", account=demo_accounts.X_USERNAME)  # any call would fail

    assert reconcile_post(ctx, PID).outcome == "published"
    assert post_row(engine, PID).status == "published"


def test_it_settles_a_duplicate_of_an_older_post_as_published_without_an_id(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    ctx.platforms.get("twitter", "default").publish(TEXT)  # the same words, an hour earlier
    clock.advance(3600)
    add_campaign(session)
    add_post(session, PID, at=clock.now, text=TEXT)

    [result] = tick(ctx)
    assert (result.outcome, result.detail) == ("unconfirmed", "not visible on the platform yet")
    clock.advance(RECONCILE_SETTLE.total_seconds() + 1)
    swept = sweep(ctx, sending_timeout=SENDING_TIMEOUT)

    post = post_row(engine, PID)
    assert [r.outcome for r in swept.reconciled] == ["published"]
    assert (post.status, post.remote_ids) == ("published", [])
    assert post.status_reason == "refused as a duplicate of a post that could not be found (no remote id)"
    assert len(sandbox.posts()) == 1


class SweptMidCall:
    """A create so slow that the sweep gives up on the worker (and reconciles) before it returns."""

    def __init__(self, inner: object, sweeper: Context, clock: SharedClock) -> None:
        self.inner, self.sweeper, self.clock = inner, sweeper, clock

    def publish(self, text: str, **kwargs: object) -> object:
        remote = self.inner.publish(text, **kwargs)  # type: ignore[attr-defined]
        self.clock.advance(SENDING_TIMEOUT.total_seconds() + 1)
        sweep(self.sweeper, sending_timeout=SENDING_TIMEOUT)
        return remote

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_it_lets_the_sweep_settle_a_post_whose_worker_outlived_its_time_limit(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, PID, text=TEXT)
    sweeper = make_context(engine, sandbox, clock, worker="sweeper")
    slow = make_context(engine, sandbox, clock, wrap=lambda p: SweptMidCall(p, sweeper, clock))  # type: ignore[arg-type, return-value]

    [result] = tick(slow)

    [truth] = sandbox.posts()
    post = post_row(engine, PID)
    assert (result.outcome, result.detail) == ("lost claim", "taken over while sending; nothing recorded")
    assert (post.status, post.remote_ids) == ("published", [truth["id"]])
