"""The post state machine: every allowed move works, every other is refused, and races have one winner."""

from __future__ import annotations

import threading
from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.store.models import Post
from campaigns.store.states import (
    ALLOWED,
    HANDS_OFF,
    PostStatus,
    TransitionError,
    is_allowed,
    transition,
    update_if_status,
)
from tests.support.db_fixtures import NOW, add_campaign, add_post, run_concurrently, status_of

ALLOWED_PAIRS = [(old, new) for old in PostStatus for new in sorted(ALLOWED[old])]
FORBIDDEN_PAIRS = [(old, new) for old, new in product(PostStatus, PostStatus) if new not in ALLOWED[old]]


def test_it_lists_a_row_for_every_status_and_nothing_leaves_published():
    assert set(ALLOWED) == set(PostStatus)
    assert ALLOWED[PostStatus.PUBLISHED] == frozenset()
    assert len(ALLOWED_PAIRS) + len(FORBIDDEN_PAIRS) == len(PostStatus) ** 2


def test_it_never_lets_a_post_that_may_be_on_the_platform_be_cancelled_or_missed():
    for status in HANDS_OFF:
        assert not is_allowed(status, PostStatus.CANCELLED)
        assert not is_allowed(status, PostStatus.MISSED)
        assert not is_allowed(status, PostStatus.CLAIMED)


@pytest.mark.parametrize(("old", "new"), ALLOWED_PAIRS, ids=[f"{o}->{n}" for o, n in ALLOWED_PAIRS])
def test_it_performs_every_allowed_transition(session: Session, engine: Engine, old, new):
    add_campaign(session)
    add_post(session, status=old.value)
    later = NOW + timedelta(minutes=5)

    won = transition(session=session, post_id="ssw-week:d1p1:twitter", expected=old, to=new, now=later)
    session.commit()

    assert won is True
    assert status_of(engine, "ssw-week:d1p1:twitter") == new.value
    with Session(engine) as fresh:
        post = fresh.get(Post, "ssw-week:d1p1:twitter")
        assert post is not None and post.updated_at == later


@pytest.mark.parametrize(("old", "new"), FORBIDDEN_PAIRS, ids=[f"{o}->{n}" for o, n in FORBIDDEN_PAIRS])
def test_it_refuses_every_other_transition(session: Session, engine: Engine, old, new):
    add_campaign(session)
    add_post(session, status=old.value)

    with pytest.raises(TransitionError, match=f"from {old} to {new}"):
        transition(session=session, post_id="ssw-week:d1p1:twitter", expected=old, to=new, now=NOW)
    session.commit()

    assert status_of(engine, "ssw-week:d1p1:twitter") == old.value


def test_it_loses_when_the_post_is_no_longer_in_the_expected_status(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, status="claimed")

    won = transition(
        session=session,
        post_id="ssw-week:d1p1:twitter",
        expected=PostStatus.SCHEDULED,
        to=PostStatus.CLAIMED,
        now=NOW,
        values={"claimed_by": "late-worker"},
    )
    session.commit()

    assert won is False
    with Session(engine) as fresh:
        post = fresh.get(Post, "ssw-week:d1p1:twitter")
        assert post is not None and post.claimed_by is None


def test_it_loses_for_a_post_that_does_not_exist(session: Session):
    won = transition(
        session=session, post_id="nope", expected=PostStatus.SCHEDULED, to=PostStatus.CLAIMED, now=NOW
    )
    assert won is False


def test_it_sets_the_given_values_with_the_transition(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, status="sending")

    transition(
        session=session,
        post_id="ssw-week:d1p1:twitter",
        expected=PostStatus.SENDING,
        to=PostStatus.PUBLISHED,
        now=NOW,
        values={"published_at": NOW, "remote_url": "https://x.com/i/status/1", "remote_ids": ["1"]},
    )
    session.commit()

    with Session(engine) as fresh:
        post = fresh.get(Post, "ssw-week:d1p1:twitter")
        assert post is not None
        assert (post.status, post.published_at, post.remote_ids) == ("published", NOW, ["1"])
        assert post.remote_url == "https://x.com/i/status/1"


def test_it_refuses_values_that_are_not_columns_or_that_smuggle_a_status(session: Session):
    with pytest.raises(TransitionError, match="not a post column: colour"):
        transition(
            session=session,
            post_id="p",
            expected=PostStatus.SCHEDULED,
            to=PostStatus.CLAIMED,
            now=NOW,
            values={"colour": "red"},
        )
    with pytest.raises(TransitionError):
        transition(
            session=session,
            post_id="p",
            expected=PostStatus.SCHEDULED,
            to=PostStatus.CLAIMED,
            now=NOW,
            values={"status": "published"},
        )
    with pytest.raises(TransitionError):
        update_if_status(
            session=session, post_id="p", expected=PostStatus.SCHEDULED, now=NOW, values={"status": "x"}
        )


def test_it_updates_columns_only_while_the_status_is_still_the_expected_one(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, status="scheduled")

    first = update_if_status(
        session=session,
        post_id="ssw-week:d1p1:twitter",
        expected=PostStatus.SCHEDULED,
        now=NOW,
        values={"text": "edited"},
    )
    second = update_if_status(
        session=session,
        post_id="ssw-week:d1p1:twitter",
        expected=PostStatus.CLAIMED,
        now=NOW,
        values={"text": "edited again"},
    )
    session.commit()

    assert (first, second) == (True, False)
    with Session(engine) as fresh:
        post = fresh.get(Post, "ssw-week:d1p1:twitter")
        assert post is not None and post.text == "edited"


def test_it_lets_a_stale_reader_lose_to_the_process_that_moved_first(engine: Engine):
    with Session(engine) as setup:
        add_campaign(setup)
        add_post(setup, status="scheduled")
    with Session(engine, expire_on_commit=False) as slow, Session(engine) as fast:
        seen = slow.get(Post, "ssw-week:d1p1:twitter")
        assert seen is not None and seen.status == "scheduled"
        slow.commit()  # the slow one read, then went away to think (never holding a transaction open)

        assert transition(
            session=fast, post_id=seen.id, expected=PostStatus.SCHEDULED, to=PostStatus.CANCELLED, now=NOW
        )
        fast.commit()

        won = transition(
            session=slow, post_id=seen.id, expected=PostStatus(seen.status), to=PostStatus.CLAIMED, now=NOW
        )
        slow.commit()
    assert won is False
    assert status_of(engine, "ssw-week:d1p1:twitter") == "cancelled"


@pytest.mark.parametrize("contenders", [2, 6])
def test_it_lets_exactly_one_of_concurrent_claimers_win(engine: Engine, contenders: int):
    with Session(engine) as setup:
        add_campaign(setup)
        for n in range(5):
            add_post(setup, f"p{n}")
    for n in range(5):

        def claim(worker: int, barrier: threading.Barrier, post_id: str = f"p{n}") -> bool:
            with Session(engine) as session:
                barrier.wait()
                won = transition(
                    session=session,
                    post_id=post_id,
                    expected=PostStatus.SCHEDULED,
                    to=PostStatus.CLAIMED,
                    now=NOW,
                    values={"claimed_by": f"worker-{worker}"},
                )
                session.commit()
                return won

        results = run_concurrently(contenders, claim)

        assert sorted(results) == [False] * (contenders - 1) + [True]
        assert status_of(engine, f"p{n}") == "claimed"
