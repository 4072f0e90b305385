"""One dispatcher message per account and moment: how posts are grouped, and a group published in order,
its posts started and recorded together while each keeps its own claim (compare-and-set)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, update
from sqlmodel import Session, col

from campaigns.platforms import Platform
from campaigns.publishing import Context, dispatch_due, publish_batch, sweep
from campaigns.publishing.batch import BUDGET, RECHECK
from campaigns.publishing.dispatch import groups
from campaigns.publishing.policy import REQUESTS_PER_PART, sending_lease
from campaigns.store.models import Post
from campaigns.store.pipeline import DueAt
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign, add_post, pause_campaign
from tests.support.publishing_fixtures import Crash, Queue, SharedClock, attempts_of, make_context, post_row

SECOND = timedelta(seconds=1)
LEASE = timedelta(seconds=150)  # the `sending` lease (policy.sending_lease)


def due(at: datetime, account: str = "default", channel: str = "twitter") -> DueAt:
    return DueAt(at, channel, account)


def test_groups_hold_one_accounts_posts_due_at_the_same_moment_in_claim_order():
    claimed = {
        "a1": due(NOW),
        "b1": due(NOW, channel="facebook"),
        "a2": due(NOW),
        "c1": due(NOW, account="other"),
        "a3": due(NOW + 2 * SECOND),
        "a4": due(NOW - 5 * SECOND),  # overdue: goes now, with the others due now
    }

    messages = list(groups(list(claimed), claimed, now=NOW, size=10))

    assert messages == [
        (["a1", "a2", "a4"], NOW),
        (["b1"], NOW),
        (["c1"], NOW),
        (["a3"], NOW + 2 * SECOND),
    ]


def test_groups_never_exceed_their_size():
    claimed = {f"p{n}": due(NOW) for n in range(7)}

    sizes = [len(ids) for ids, _ in groups(list(claimed), claimed, now=NOW, size=3)]

    assert sorted(sizes) == [1, 3, 3]


def test_the_dispatcher_sends_one_message_per_account_and_moment(ctx: Context, session: Session):
    add_campaign(session)
    for n in range(3):
        add_post(session, f"x-{n}", channel="twitter")
        add_post(session, f"fb-{n}", channel="facebook")
    add_post(session, "x-later", channel="twitter", at=NOW + 2 * SECOND)
    queue = Queue()

    result = dispatch_due(ctx, queue, group=2)

    assert sorted(result.enqueued) == sorted(["x-0", "x-1", "x-2", "fb-0", "fb-1", "fb-2", "x-later"])
    assert sorted((sorted(ids), eta) for ids, eta in queue.batches) == [
        (["fb-0", "fb-1"], NOW),
        (["fb-2"], NOW),
        (["x-0", "x-1"], NOW),
        (["x-2"], NOW),
        (["x-later"], NOW + 2 * SECOND),
    ]


def claim_all(ctx: Context) -> list[str]:
    queue = Queue()
    dispatch_due(ctx, queue)
    [(ids, _)] = queue.batches
    return ids


def test_a_batch_publishes_its_posts_in_order_and_once_even_if_received_twice(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle
):
    add_campaign(session)
    for n in range(3):
        add_post(session, f"ssw-week:p{n}:twitter", text=f"Post {n} #SSWWeek")
    ids = claim_all(ctx)

    first = publish_batch(ctx, ids)
    again = publish_batch(ctx, ids)

    assert [r.outcome for r in first] == ["published"] * 3
    assert [r.outcome for r in again] == ["skipped"] * 3
    assert [p["text"] for p in sandbox.posts()] == ["Post 0 #SSWWeek", "Post 1 #SSWWeek", "Post 2 #SSWWeek"]
    assert {post_row(engine, post_id).status for post_id in ids} == {"published"}


def test_a_rate_limit_on_the_first_post_holds_the_rest_without_asking_again(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle
):
    add_campaign(session)
    for n in range(3):
        add_post(session, f"ssw-week:p{n}:twitter", text=f"Post {n} #SSWWeek")
    sandbox.add_fault(kind="rate_limit", platform="x", method="POST", path="/2/tweets", times=1)
    ids = claim_all(ctx)

    results = publish_batch(ctx, ids)

    assert [r.outcome for r in results] == ["rate_limited", "released", "released"]
    assert sandbox.posts() == [] and [f["fired"] for f in sandbox.faults()] == [1]  # one 429, no more
    rows = [post_row(engine, post_id) for post_id in ids]
    assert [(p.status, p.attempts, p.claimed_by) for p in rows] == [("scheduled", 0, None)] * 3


class Slow:
    """An adapter whose every publish takes ``seconds`` of the shared clock."""

    def __init__(self, inner: Platform, clock: SharedClock, seconds: float) -> None:
        self.inner, self.clock, self.seconds = inner, clock, seconds

    def publish(self, *args: Any, **kwargs: Any) -> Any:
        self.clock.advance(self.seconds)
        return self.inner.publish(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_slow_batch_gives_the_posts_it_could_not_start_in_time_back_to_the_schedule(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    for n in range(4):
        add_post(session, f"ssw-week:p{n}:twitter", text=f"Post {n} #SSWWeek")
    slow = make_context(engine, sandbox, clock, wrap=lambda p: Slow(p, clock, 20))  # type: ignore[arg-type, return-value]
    ids = claim_all(slow)

    results = publish_batch(slow, ids, budget=timedelta(seconds=30))

    # Started at 0 s and 20 s; at 40 s the budget is spent.
    assert [r.outcome for r in results] == ["published", "published", "released", "released"]
    assert len(sandbox.posts()) == 2
    later = [post_row(engine, post_id) for post_id in ids[2:]]
    assert [(p.status, p.claimed_by, p.attempts) for p in later] == [("scheduled", None, 0)] * 2
    assert [r.outcome for r in publish_batch(slow, ids[2:])] == ["skipped", "skipped"]  # no longer claimed


# --- a message's posts are started and recorded together: still one claim per post -----------------


class Meanwhile:
    """A real adapter that runs ``before(n)`` before its n-th create (1-based) and ``after(n)``
    once the platform took it: another worker, a pause or a crash in the middle of a message."""

    def __init__(self, inner: Platform, before: Any = None, after: Any = None) -> None:
        self.inner, self.before, self.after, self.n = inner, before, after, 0

    def publish(self, *args: Any, **kwargs: Any) -> Any:
        self.n += 1
        if self.before:
            self.before(self.n)
        remote = self.inner.publish(*args, **kwargs)
        if self.after:
            self.after(self.n)
        return remote

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def three_posts(session: Session) -> list[str]:
    add_campaign(session)
    for n in range(3):
        add_post(session, f"ssw-week:p{n}:twitter", text=f"Post {n} #SSWWeek")
    return [f"ssw-week:p{n}:twitter" for n in range(3)]


def test_a_post_taken_over_inside_a_batch_records_nothing_and_the_others_are_recorded(
    session: Session,
    engine: Engine,
    sandbox: SandboxHandle,
    clock: SharedClock,
    caplog: pytest.LogCaptureFixture,
):
    ids = three_posts(session)

    def take_over(n: int) -> None:
        if n == 2:  # its lease ran out and another worker holds it now, in the middle of sending it
            with Session(engine) as other:
                other.exec(
                    update(Post).where(col(Post.id) == ids[1]).values(claimed_by="worker-b/0123456789ab")
                )
                other.commit()

    ctx = make_context(engine, sandbox, clock, wrap=lambda p: Meanwhile(p, before=take_over))  # type: ignore[arg-type, return-value]
    assert claim_all(ctx) == ids

    with caplog.at_level(logging.WARNING, logger="campaigns.publishing"):
        results = publish_batch(ctx, ids)

    truth = {p["text"]: p["id"] for p in sandbox.posts()}
    assert [r.outcome for r in results] == ["published", "lost claim", "published"]
    rows = [post_row(engine, post_id) for post_id in ids]
    assert [(p.status, p.remote_ids) for p in rows] == [
        ("published", [truth["Post 0 #SSWWeek"]]),
        ("sending", []),  # the new owner's row: nothing of this worker's written into it
        ("published", [truth["Post 2 #SSWWeek"]]),
    ]
    assert rows[1].claimed_by == "worker-b/0123456789ab"
    assert [a.outcome for a in attempts_of(engine, ids[1])] == ["started"]  # its attempt untouched too
    assert truth["Post 1 #SSWWeek"] in caplog.text and "no longer held" in caplog.text


def test_a_crash_between_a_send_and_its_record_leaves_every_post_of_the_batch_sent_exactly_once(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    ids = three_posts(session)

    def die(n: int) -> None:
        if n == 2:  # the platform took the second post; the worker dies before recording anything
            raise Crash

    dying = make_context(engine, sandbox, clock, wrap=lambda p: Meanwhile(p, after=die))  # type: ignore[arg-type, return-value]
    assert claim_all(dying) == ids
    with pytest.raises(Crash):
        publish_batch(dying, ids)
    assert [post_row(engine, post_id).status for post_id in ids] == ["sending"] * 3

    # The sweep takes the orphaned rows and asks the platform: the two sent are found, the third is
    # not (and, once "not found" is trusted, goes back to the schedule and out once).
    ctx = make_context(engine, sandbox, clock)
    clock.advance(LEASE.total_seconds() + 1)
    swept = sweep(ctx, sending_timeout=LEASE)
    assert sorted(swept.expired) == ids
    assert sorted(r.outcome for r in swept.reconciled) == ["published", "published", "rescheduled"]
    retry_at = post_row(engine, ids[2]).next_attempt_at
    assert retry_at is not None
    clock.to(retry_at)
    publish_batch(ctx, claim_all(ctx))

    truth = sandbox.posts()
    assert sorted(p["text"] for p in truth) == [f"Post {n} #SSWWeek" for n in range(3)]  # once each
    by_text = {p["text"]: p["id"] for p in truth}
    rows = [post_row(engine, post_id) for post_id in ids]
    assert [(p.status, p.remote_ids) for p in rows] == [
        ("published", [by_text[f"Post {n} #SSWWeek"]]) for n in range(3)
    ]


def test_a_pause_during_a_slow_batch_stops_its_remaining_posts_at_the_next_look(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    ids = three_posts(session)

    def slow_and_paused(n: int) -> None:
        clock.advance(2 * RECHECK.total_seconds())  # a slow platform: the batch looks again after it
        if n == 1:
            pause_campaign(engine)

    ctx = make_context(engine, sandbox, clock, wrap=lambda p: Meanwhile(p, after=slow_and_paused))  # type: ignore[arg-type, return-value]
    assert claim_all(ctx) == ids

    results = publish_batch(ctx, ids)

    assert [(r.outcome, r.detail) for r in results[1:]] == [("released", "its campaign is paused")] * 2
    assert results[0].outcome == "published" and len(sandbox.posts()) == 1
    later = [post_row(engine, post_id) for post_id in ids[1:]]
    assert [(p.status, p.claimed_by, p.attempts) for p in later] == [("scheduled", None, 0)] * 2
    assert [attempts_of(engine, post_id) for post_id in ids[1:]] == [[], []]  # never tried


def statements_to_publish(ctx: Context, engine: Engine, session: Session, posts: int) -> int:
    for n in range(posts):
        add_post(session, f"ssw-week:n{posts}-{n}:twitter", text=f"Post {posts}-{n} #SSWWeek")
    ids = claim_all(ctx)
    counted: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "posts" in statement or "attempts" in statement:  # not BEGIN, nor a pooled connection's ping
            counted.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert {r.outcome for r in publish_batch(ctx, ids)} == {"published"}
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def test_a_batch_costs_the_same_statements_whatever_its_number_of_posts(
    ctx: Context, session: Session, engine: Engine
):
    add_campaign(session)

    two, ten = (statements_to_publish(ctx, engine, session, n) for n in (2, 10))

    # The guard, to sending, the attempts; then the posts published and their attempts closed.
    assert two == ten == 5


def test_a_post_waiting_for_its_turn_in_a_batch_is_never_taken_for_orphaned():
    # A message's posts are all `sending` from its start: the last may start after BUDGET and then
    # take the worst send (every request at the HTTP timeout). The sweep must not expire it meanwhile.
    for timeout in (1.0, 10.0, 30.0, 90.0):
        worst_send = timedelta(seconds=REQUESTS_PER_PART * timeout)
        assert sending_lease(timeout) > BUDGET + worst_send
