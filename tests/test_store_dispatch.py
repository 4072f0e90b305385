"""The dispatcher's queries: claim what is due (and only that), exactly once; mark what is too late."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.store.account_states import flag_credentials, hold_account
from campaigns.store.dispatch import claim_due_posts, mark_missed_posts
from campaigns.store.due_posts import is_missed, missed_after
from campaigns.store.models import Post
from tests.support.db_fixtures import NOW, add_campaign, add_post, run_concurrently, status_of

MINUTE = timedelta(minutes=1)


def claim(session: Session, **kwargs: object) -> list[str]:
    ids = claim_due_posts(session=session, now=NOW, worker="dispatcher-1", **kwargs)  # type: ignore[arg-type]
    session.commit()
    return ids


def test_it_claims_due_posts_for_the_worker(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, "due", at=NOW - MINUTE)
    add_post(session, "due-now", at=NOW)

    assert claim(session) == ["due", "due-now"]

    with Session(engine) as fresh:
        post = fresh.get(Post, "due")
        assert post is not None
        assert (post.status, post.claimed_by, post.claimed_at) == ("claimed", "dispatcher-1", NOW)


def test_it_claims_posts_up_to_the_lookahead_and_not_beyond(session: Session):
    add_campaign(session)
    add_post(session, "in-30s", at=NOW + timedelta(seconds=30))
    add_post(session, "in-2min", at=NOW + 2 * MINUTE)

    assert claim(session) == []
    assert claim(session, lookahead=MINUTE) == ["in-30s"]


@pytest.mark.parametrize(
    "status", ["claimed", "sending", "published", "failed", "missed", "unconfirmed", "cancelled"]
)
def test_it_claims_only_scheduled_posts(session: Session, engine: Engine, status: str):
    add_campaign(session)
    add_post(session, "other", at=NOW - MINUTE, status=status)

    assert claim(session) == []
    assert status_of(engine, "other") == status


def test_it_waits_for_a_backoff_to_end(session: Session):
    add_campaign(session)
    add_post(session, "backing-off", at=NOW - 10 * MINUTE, next_attempt_at=NOW + MINUTE)
    add_post(session, "backoff-over", at=NOW - 10 * MINUTE, next_attempt_at=NOW)

    assert claim(session) == ["backoff-over"]


@pytest.mark.parametrize(
    "campaign", [{"spec_paused": True}, {"operator_paused": True}, {"removed_at": NOW - MINUTE}]
)
def test_it_skips_paused_and_removed_campaigns(session: Session, campaign: dict[str, object]):
    add_campaign(session, "held", **campaign)
    add_campaign(session, "running")
    add_post(session, "held-post", campaign="held", at=NOW - MINUTE)
    add_post(session, "running-post", campaign="running", at=NOW - MINUTE)

    assert claim(session) == ["running-post"]


def test_it_skips_a_rate_limited_account_until_its_hold_ends(session: Session):
    add_campaign(session)
    add_post(session, "x-default", at=NOW - MINUTE)
    add_post(session, "x-other", at=NOW - MINUTE, account="other")
    add_post(session, "fb-default", at=NOW - MINUTE, channel="facebook")
    hold_account(
        session=session, platform="twitter", account="default", until=NOW + MINUTE, reason="429", now=NOW
    )
    session.commit()

    assert sorted(claim(session)) == ["fb-default", "x-other"]
    assert claim_due_posts(session=session, now=NOW + MINUTE + timedelta(seconds=1), worker="d") == [
        "x-default"
    ]


def test_it_skips_an_account_whose_credentials_need_attention(session: Session):
    add_campaign(session)
    add_post(session, "x-default", at=NOW - MINUTE)
    flag_credentials(session=session, platform="twitter", account="default", reason="401", now=NOW)
    session.commit()

    assert claim(session) == []


def test_it_leaves_posts_past_their_late_window_to_the_missed_sweep(session: Session):
    add_campaign(session)
    add_post(session, "too-late", at=NOW - timedelta(hours=7), late_window=timedelta(hours=6))

    assert claim(session) == []
    assert mark_missed_posts(session=session, now=NOW) == ["too-late"]


def test_it_finishes_a_thread_partly_out_even_past_its_late_window(session: Session):
    add_campaign(session)
    parts = ["1/3 Why it matters", "2/3 Who they are", "3/3 Thank one today"]
    late = {
        "at": NOW - timedelta(hours=7),
        "late_window": timedelta(hours=6),
        "text": parts[0],
        "thread": parts,
    }
    add_post(session, "thread-half-out", remote_ids=["2124660541996666880"], **late)  # type: ignore[arg-type]
    add_post(session, "thread-not-started", **late)  # type: ignore[arg-type]

    assert mark_missed_posts(session=session, now=NOW) == ["thread-not-started"]
    assert claim(session) == ["thread-half-out"]  # half a thread online is worse than a late end


def test_it_claims_at_most_the_limit_soonest_first(session: Session):
    add_campaign(session)
    for n in range(5):
        add_post(session, f"p{n}", at=NOW - n * MINUTE)

    assert claim(session, limit=2) == ["p4", "p3"]
    assert claim(session, limit=2) == ["p2", "p1"]
    assert claim(session, limit=2) == ["p0"]


def test_it_hands_each_due_post_to_exactly_one_of_concurrent_dispatchers(engine: Engine):
    with Session(engine) as setup:
        add_campaign(setup)
        for n in range(40):
            add_post(setup, f"p{n:02}", at=NOW - n * timedelta(seconds=1))

    def dispatcher(i: int, barrier: threading.Barrier) -> list[str]:
        claimed: list[str] = []
        with Session(engine) as session:
            barrier.wait()
            while batch := claim_due_posts(session=session, now=NOW, worker=f"d{i}", limit=3):
                session.commit()
                claimed += batch
        return claimed

    batches = run_concurrently(4, dispatcher)

    everything = [post_id for batch in batches for post_id in batch]
    assert sorted(everything) == [f"p{n:02}" for n in range(40)]  # all claimed, none twice


@pytest.mark.integration
def test_it_skips_rows_another_dispatcher_has_locked_instead_of_waiting(postgres_engine: Engine):
    """PostgreSQL only: FOR UPDATE SKIP LOCKED. (SQLite has one writer at a time: claimers take turns.)"""
    with Session(postgres_engine) as setup:
        add_campaign(setup)
        for n in range(4):
            add_post(setup, f"p{n}", at=NOW - n * MINUTE)
    with Session(postgres_engine) as first, Session(postgres_engine) as second:
        held = claim_due_posts(session=first, now=NOW, worker="first", limit=2)  # not committed yet
        second.connection().exec_driver_sql("SET lock_timeout = '2s'")  # waiting would be an error
        taken = claim_due_posts(session=second, now=NOW, worker="second", limit=10)
        second.commit()
        first.commit()
    assert (held, taken) == (["p3", "p2"], ["p1", "p0"])


def test_it_marks_only_scheduled_posts_past_their_late_window_as_missed(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, "late", at=NOW - timedelta(hours=7))
    add_post(session, "late-but-failed", at=NOW - timedelta(hours=7), status="failed")
    add_post(session, "late-but-claimed", at=NOW - timedelta(hours=7), status="claimed")
    add_post(session, "in-time", at=NOW - timedelta(hours=5))

    assert mark_missed_posts(session=session, now=NOW) == ["late"]
    session.commit()

    with Session(engine) as fresh:
        post = fresh.get(Post, "late")
        assert post is not None
        assert post.status == "missed" and post.status_reason and "late window" in post.status_reason
    assert [status_of(engine, p) for p in ("late-but-failed", "late-but-claimed", "in-time")] == [
        "failed",
        "claimed",
        "scheduled",
    ]


@pytest.mark.parametrize("offset", [-timedelta(microseconds=1), timedelta(0), timedelta(microseconds=1)])
def test_it_draws_the_missed_line_where_the_pure_rule_does(session: Session, offset: timedelta):
    add_campaign(session)
    post = add_post(session, "edge", at=NOW - timedelta(hours=6))
    now = post.missed_after + offset

    marked = mark_missed_posts(session=session, now=now)

    assert (marked == ["edge"]) is is_missed(deadline=post.missed_after, now=now)
    assert is_missed(deadline=post.missed_after, now=now) is (offset > timedelta(0))


def test_it_puts_the_deadline_one_late_window_after_the_scheduled_time():
    assert missed_after(NOW, timedelta(hours=6)) == NOW + timedelta(hours=6)
    assert not is_missed(deadline=NOW, now=NOW)
    assert is_missed(deadline=NOW, now=NOW + timedelta(microseconds=1))
