"""A worker acts on a post only while its claim holds: a stale worker never overwrites the new owner's row,
and a post that waited re-checks pause, hold and the spec before it is sent.

Real database (SQLite and PostgreSQL) and the sandbox; the "slow" worker is a real adapter whose
request reaches the platform only after another worker has taken its post over.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.platforms import Platform
from campaigns.publishing import Context, dispatch_due, publish_post, sweep
from campaigns.publishing.policy import sending_lease
from campaigns.store.models import PostStatus
from campaigns.store.states import update_if_status
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign, add_post, pause_campaign
from tests.support.publishing_fixtures import (
    Crash,
    Queue,
    SharedClock,
    attempts_of,
    make_context,
    post_row,
)

PID = "ssw-week:d1p1:twitter"
TEXT = "Day 1: thank a social worker today #SSW"
LEASE = timedelta(seconds=150)


class ArrivesLate:
    """A real adapter whose create reaches the platform only after ``meanwhile`` ran (the request was
    stuck in a slow network while the sweep and another worker took the post over)."""

    def __init__(self, inner: Platform, meanwhile: Any) -> None:
        self.inner, self.meanwhile = inner, meanwhile

    def publish(self, text: str, **kwargs: Any) -> Any:
        self.meanwhile()
        return self.inner.publish(text, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class CrashBeforeCreate:
    def __init__(self, inner: Platform) -> None:
        self.inner = inner

    def publish(self, text: str, **kwargs: Any) -> Any:
        raise Crash

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def claim(ctx: Context) -> list[str]:
    queue = Queue()
    dispatch_due(ctx, queue)
    return [post_id for post_id, _ in queue.drain()]


def test_a_stale_worker_records_nothing_once_another_worker_took_its_post(
    session: Session,
    engine: Engine,
    sandbox: SandboxHandle,
    clock: SharedClock,
    caplog: pytest.LogCaptureFixture,
):
    add_campaign(session)
    add_post(session, PID, text=TEXT)
    second = make_context(engine, sandbox, clock, wrap=CrashBeforeCreate, worker="worker-b")

    def take_over() -> None:
        # Worker A's lease runs out: the sweep turns its row unconfirmed and, not finding the post,
        # schedules it again; worker B claims it and is in the middle of sending it.
        clock.advance(LEASE.total_seconds() + 1)
        sweep(second, sending_timeout=LEASE)
        retry_at = post_row(engine, PID).next_attempt_at
        assert retry_at is not None
        clock.to(retry_at)
        assert claim(second) == [PID]
        with pytest.raises(Crash):
            publish_post(second, PID)
        assert post_row(engine, PID).status == "sending"

    first = make_context(engine, sandbox, clock, wrap=lambda p: ArrivesLate(p, take_over), worker="worker-a")
    assert claim(first) == [PID]

    with caplog.at_level(logging.WARNING, logger="campaigns.publishing"):
        result = publish_post(first, PID)

    post = post_row(engine, PID)
    owner = post.claimed_by
    # A's create did reach the platform, but the row is B's: A wrote nothing into it.
    [truth] = sandbox.posts()
    assert (post.status, post.remote_ids, post.published_at) == ("sending", [], None)
    assert owner is not None and owner.startswith("worker-b")
    assert result.outcome == "lost claim"
    assert truth["id"] in caplog.text and "no longer held" in caplog.text
    # A's attempt row says what became of its try; B's attempt is still open.
    outcomes = [a.outcome for a in attempts_of(engine, PID)]
    assert outcomes == ["started: scheduled", "started"]


def test_a_post_that_waited_for_its_second_rechecks_the_pause_before_sending(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, PID, text=TEXT, at=NOW + timedelta(seconds=3))

    def pause_while_waiting(seconds: float) -> None:
        clock.sleep(seconds)
        pause_campaign(engine)

    ctx = make_context(engine, sandbox, clock)
    ctx.sleep = pause_while_waiting
    assert claim(ctx) == [PID]

    result = publish_post(ctx, PID)

    assert (result.outcome, result.detail) == ("released", "its campaign is paused")
    assert post_row(engine, PID).status == "scheduled"
    assert sandbox.posts() == []


def test_a_post_that_waited_sends_the_text_the_spec_has_now(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    """An edit applied while the post waited releases the claim; the next tick sends the new text."""
    add_campaign(session)
    add_post(session, PID, text=TEXT, at=NOW + timedelta(seconds=3))

    def edit_while_waiting(seconds: float) -> None:
        clock.sleep(seconds)
        with Session(engine) as other:
            assert update_if_status(
                session=other,
                post_id=PID,
                expected=PostStatus.CLAIMED,
                now=clock(),
                values={"text": TEXT + " (edited)"},
            )
            other.commit()

    ctx = make_context(engine, sandbox, clock)
    ctx.sleep = edit_while_waiting
    assert claim(ctx) == [PID]

    result = publish_post(ctx, PID)

    assert result.outcome == "published"
    [truth] = sandbox.posts()
    assert truth["text"] == TEXT + " (edited)"


def test_the_sending_lease_outlasts_the_worst_send_whatever_the_pool():
    # Each request is capped at the HTTP timeout (connect and read together); a part is at most an
    # upload, its alt text and the create. The row's lease (measured from its last update) must be
    # longer than that, with or without Celery's prefork time limit.
    for timeout in (1.0, 10.0, 30.0, 90.0):
        assert sending_lease(timeout) > timedelta(seconds=3 * timeout)
    assert sending_lease(10.0) >= timedelta(seconds=150)
