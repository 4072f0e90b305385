"""The dispatcher's tick and the sweep: claims handed out once, lost work recovered, late posts missed."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.publishing import Context, dispatch_due, sweep
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign, add_post, run_concurrently
from tests.support.publishing_fixtures import Queue, SharedClock, make_context, post_row

SECOND = timedelta(seconds=1)
SENDING_TIMEOUT = timedelta(seconds=150)


def test_it_enqueues_due_and_soon_due_posts_with_their_time_as_eta(ctx: Context, session: Session):
    add_campaign(session)
    add_post(session, "late", at=NOW - 10 * SECOND)
    add_post(session, "in-2s", at=NOW + 2 * SECOND)
    add_post(session, "in-10s", at=NOW + 10 * SECOND)
    queue = Queue()

    result = dispatch_due(ctx, queue)

    assert queue.messages == [("in-2s", NOW + 2 * SECOND), ("late", NOW)]  # on time first
    assert result.enqueued == ["in-2s", "late"] and str(result) == "2 enqueued"


def test_a_post_due_during_a_burst_is_claimed_before_the_late_posts(ctx: Context, session: Session):
    """A burst fills every tick's claims with late posts; a post on time still gets its claim."""
    add_campaign(session)
    for n in range(30):
        add_post(session, f"burst-{n:02d}", at=NOW - 5 * SECOND, account=f"a{n % 3}")
    add_post(session, "on-time", at=NOW + 2 * SECOND, account="other")
    queue = Queue()

    result = dispatch_due(ctx, queue, limit=10)

    assert result.enqueued[0] == "on-time" and len(result.enqueued) == 10
    assert queue.messages[0] == ("on-time", NOW + 2 * SECOND)


def test_a_post_due_during_a_burst_stays_on_time_when_the_tick_comes_late(ctx: Context, session: Session):
    """The tick that should have claimed it ahead of its time came 3 s late (a loaded machine): it
    was due after the burst began, so it still goes before the burst, and to the on-time queue."""
    add_campaign(session)
    for n in range(30):
        add_post(session, f"burst-{n:02d}", at=NOW - 8 * SECOND, account=f"a{n % 3}")
    add_post(session, "regular", at=NOW - 3 * SECOND, account="other")
    queue = Queue()

    result = dispatch_due(ctx, queue, limit=10)

    assert result.enqueued[0] == "regular" and len(result.enqueued) == 10
    assert queue.on_time == ["regular"]  # the burst's posts go to the late queue


def test_a_post_due_during_a_burst_is_claimed_when_the_claims_in_flight_are_at_their_limit(
    ctx: Context, session: Session
):
    """The burst filled the broker up to the in-flight limit; a regular post whose tick came late
    must not wait for the burst to drain below it (it goes to the queue workers take first)."""
    add_campaign(session)
    for n in range(4):
        add_post(session, f"in-flight-{n}", at=NOW - 8 * SECOND, status="claimed", account="a")
    add_post(session, "waiting", at=NOW - 8 * SECOND, account="a")
    add_post(session, "regular", at=NOW - 3 * SECOND, account="other")
    queue = Queue()

    result = dispatch_due(ctx, queue, in_flight=4)

    assert result.enqueued == ["regular"] and queue.on_time == ["regular"]


def test_a_burst_due_at_one_second_goes_to_the_on_time_queue_only_as_far_as_the_budget(
    ctx: Context, session: Session
):
    """Claimed ahead of its second, a whole burst is "on time": in the on-time queue it would put a
    regular post due a few seconds later behind all of it."""
    add_campaign(session)
    for n in range(30):
        add_post(session, f"burst-{n:02d}", at=NOW + 2 * SECOND, account=f"a{n % 3}")
    queue = Queue()

    result = dispatch_due(ctx, queue, priority=5)

    assert len(result.enqueued) == 30 and len(queue.on_time) == 5
    add_post(session, "regular", at=NOW + 5 * SECOND, account="other")
    later = Queue()
    dispatch_due(replace(ctx, clock=lambda: NOW + 3 * SECOND), later, priority=5)
    assert later.on_time == ["regular"]


def test_a_late_post_with_no_burst_before_it_is_late(ctx: Context, session: Session):
    add_campaign(session)
    add_post(session, "old", at=NOW - 120 * SECOND, account="a")
    add_post(session, "newer", at=NOW - 90 * SECOND, account="b")
    queue = Queue()

    dispatch_due(ctx, queue)

    assert [m for m, _ in queue.messages] == ["old", "newer"] and queue.on_time == []  # past RECENT


def test_it_claims_late_posts_only_as_far_as_the_workers_keep_up(ctx: Context, session: Session):
    """Claims waiting in the broker beyond the claim timeout would be released and sent twice."""
    add_campaign(session)
    for n in range(3):
        add_post(session, f"in-flight-{n}", at=NOW - 5 * SECOND, status="claimed")
    for n in range(5):
        add_post(session, f"late-{n}", at=NOW - 9 * SECOND)  # due before the claims: the backlog
    add_post(session, "on-time", at=NOW + 2 * SECOND)

    result = dispatch_due(ctx, Queue(), in_flight=6)

    # the post on time regardless; late ones up to 6 claimed in all (3 + on-time + 2)
    assert result.enqueued == ["on-time", "late-0", "late-1"]
    assert dispatch_due(ctx, Queue(), in_flight=6).enqueued == []


def test_it_gives_the_claims_back_when_the_broker_refuses_the_messages(
    ctx: Context, session: Session, engine: Engine, caplog: pytest.LogCaptureFixture
):
    add_campaign(session)
    add_post(session, "due")

    def broker_down(post_ids: list[str], eta: datetime, on_time: bool) -> None:
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    result = dispatch_due(ctx, broker_down)

    assert result.released == ["due"] and post_row(engine, "due").status == "scheduled"
    assert "cannot enqueue due: [Errno 111] Connection refused" in caplog.messages


def test_it_never_hands_one_post_to_two_dispatchers(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    for n in range(40):
        add_post(session, f"post-{n:02d}", at=NOW - n * SECOND)
    dispatchers = [make_context(engine, sandbox, clock, worker=f"beat-{n}") for n in range(3)]
    queues = [Queue() for _ in dispatchers]

    def work(n: int, barrier: threading.Barrier) -> list[str]:
        barrier.wait()
        ids = []
        for _ in range(5):  # small batches, so that the dispatchers' claims interleave
            ids += dispatch_due(dispatchers[n], queues[n], limit=5).enqueued
        return ids

    claimed = [post_id for ids in run_concurrently(3, work) for post_id in ids]

    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 40


def test_it_releases_claims_whose_task_never_started(
    ctx: Context, session: Session, engine: Engine, clock: SharedClock
):
    add_campaign(session)
    add_post(session, "lost", status="claimed", claimed_at=NOW - 61 * SECOND, claimed_by="dead-worker")
    add_post(session, "waiting", status="claimed", claimed_at=NOW - 30 * SECOND, claimed_by="busy-worker")

    result = sweep(ctx, sending_timeout=SENDING_TIMEOUT)

    assert result.released == ["lost"] and str(result) == "1 claims released"
    lost = post_row(engine, "lost")
    assert (lost.status, lost.claimed_by, lost.claimed_at) == ("scheduled", None, None)
    assert post_row(engine, "waiting").status == "claimed"


def test_it_turns_sending_posts_whose_worker_died_into_unconfirmed(
    ctx: Context, session: Session, engine: Engine
):
    add_campaign(session)
    old = NOW - SENDING_TIMEOUT - SECOND
    add_post(session, "orphan", status="sending", updated_at=old)
    add_post(session, "in-flight", status="sending", updated_at=NOW - 10 * SECOND)

    result = sweep(ctx, sending_timeout=SENDING_TIMEOUT)

    assert result.expired == ["orphan"]
    assert post_row(engine, "orphan").status == "unconfirmed"
    assert post_row(engine, "in-flight").status == "sending"


def test_it_marks_posts_past_their_late_window_missed_and_never_sends_them(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
):
    add_campaign(session)
    add_post(session, "after-outage", at=NOW - timedelta(hours=7), late_window=timedelta(hours=6))
    add_post(session, "still-ok", at=NOW - timedelta(hours=5), late_window=timedelta(hours=6))
    caplog.set_level(logging.WARNING, logger="campaigns")

    result = sweep(ctx, sending_timeout=SENDING_TIMEOUT)
    queue = Queue()
    dispatch_due(ctx, queue)

    assert result.missed == ["after-outage"]
    assert post_row(engine, "after-outage").status == "missed"
    assert [m for m, _ in queue.messages] == ["still-ok"]
    assert "missed after-outage: its late window passed before it could be sent" in caplog.messages
