"""One dispatcher message per account and moment: how posts are grouped, and a group published in order."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.platforms import Platform
from campaigns.publishing import Context, dispatch_due, publish_batch
from campaigns.publishing.dispatch import groups
from campaigns.store.pipeline import DueAt
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign, add_post
from tests.support.publishing_fixtures import Queue, SharedClock, make_context, post_row

SECOND = timedelta(seconds=1)


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
