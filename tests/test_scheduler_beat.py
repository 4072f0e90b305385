"""Exactly one beat sends: the lease in the database, and the leased Celery scheduler around it."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.store.db import make_engine
from campaigns.store.health_reads import get_lease
from campaigns.store.pipeline import acquire_lease, release_lease
from scheduler.beat import LEASE_NAME, LEASE_TTL, STANDBY_POLL, LeasedScheduler
from tests.support.db_fixtures import NOW, run_concurrently
from tests.support.publishing_fixtures import SharedClock, clear_leases

TTL = timedelta(seconds=20)


@pytest.fixture
def leases(engine: Engine) -> Iterator[Engine]:
    clear_leases(engine)
    yield engine
    clear_leases(engine)


def acquire(engine: Engine, holder: str, now: datetime) -> bool:
    with Session(engine) as session:
        won = acquire_lease(session=session, name="beat", holder=holder, now=now, ttl=TTL)
        session.commit()
        return won


def test_it_gives_the_lease_to_one_holder_until_it_expires(leases: Engine):
    assert acquire(leases, "a", NOW)
    assert not acquire(leases, "b", NOW + timedelta(seconds=5))
    assert acquire(leases, "a", NOW + timedelta(seconds=10))  # renewed: now good until +30 s
    assert not acquire(leases, "b", NOW + timedelta(seconds=29))
    assert acquire(leases, "b", NOW + timedelta(seconds=31))
    assert not acquire(leases, "a", NOW + timedelta(seconds=32))  # a came back too late

    with Session(leases) as session:
        lease = get_lease(session=session, name="beat")
    assert lease is not None
    assert (lease.holder, lease.acquired_at, lease.renewed_at) == (
        "b",
        NOW + timedelta(seconds=31),
        NOW + timedelta(seconds=31),
    )


def test_it_hands_a_released_lease_over_at_once(leases: Engine):
    acquire(leases, "a", NOW)
    with Session(leases) as session:
        assert release_lease(session=session, name="beat", holder="a", now=NOW)
        assert not release_lease(session=session, name="beat", holder="b", now=NOW)
        session.commit()
    assert acquire(leases, "b", NOW + timedelta(seconds=1))


def test_it_lets_exactly_one_of_many_contenders_win(leases: Engine):
    acquire(leases, "old", NOW - timedelta(minutes=5))  # an expired lease from a dead beat
    engines = [make_engine(str(leases.url.render_as_string(hide_password=False))) for _ in range(6)]

    def contend(n: int, barrier: threading.Barrier) -> bool:
        barrier.wait()
        return acquire(engines[n], f"beat-{n}", NOW)

    try:
        assert sorted(run_concurrently(6, contend)) == [False] * 5 + [True]
    finally:
        for engine in engines:
            engine.dispose()


# --- the scheduler ----------------------------------------------------------------------------


class Beats:
    """Two leased schedulers on one Celery app (in-memory broker), and what they have sent."""

    def __init__(self, engine: Engine, clock: SharedClock) -> None:
        self.queue = f"beat-test-{secrets.token_hex(4)}"
        self.app = Celery("beat-test", broker="memory://", set_as_current=False)
        long_ago = datetime(2000, 1, 1, tzinfo=UTC)  # every entry is due at once
        self.app.conf.update(
            task_default_queue=self.queue,
            beat_schedule={
                "dispatch": {"task": "test.dispatch", "schedule": 1.0, "last_run_at": long_ago},
                "sweep": {"task": "test.sweep", "schedule": 10.0, "last_run_at": long_ago},
            },
        )
        self.clock = clock
        self.a = LeasedScheduler(self.app, engine=engine, clock=clock, holder="beat-a")
        self.b = LeasedScheduler(self.app, engine=engine, clock=clock, holder="beat-b")

    def tick_until_idle(self, scheduler: LeasedScheduler) -> float:
        for _ in range(10):  # celery sends one due entry per tick and returns 0 while more are due
            delay = scheduler.tick()
            if delay:
                return float(delay)
        raise AssertionError("the scheduler never went idle")

    def sent(self) -> list[str]:
        names = []
        with self.app.connection_for_read() as connection:
            queue = connection.SimpleQueue(self.queue)
            while queue.qsize():
                message = queue.get(block=False)
                names.append(message.headers["task"])
                message.ack()
            queue.close()
        return sorted(names)


@pytest.fixture
def beats(leases: Engine) -> Beats:
    return Beats(leases, SharedClock(None))


def test_it_sends_from_the_beat_holding_the_lease_only(beats: Beats):
    beats.tick_until_idle(beats.a)

    assert beats.tick_until_idle(beats.b) == STANDBY_POLL
    assert beats.sent() == ["test.dispatch", "test.sweep"]
    assert (beats.a.holding, beats.b.holding) == (True, False)


def test_it_lets_a_standby_take_over_once_the_active_beat_stops_renewing(beats: Beats, leases: Engine):
    clock = beats.clock
    beats.tick_until_idle(beats.a)
    beats.sent()

    clock.advance(LEASE_TTL.total_seconds() - 1)  # beat a is silent (dead) from now on
    beats.tick_until_idle(beats.b)
    assert beats.sent() == [] and not beats.b.holding
    clock.advance(2)
    beats.tick_until_idle(beats.b)

    assert beats.b.holding and beats.sent() == ["test.dispatch", "test.sweep"]
    assert beats.tick_until_idle(beats.a) == STANDBY_POLL and not beats.a.holding  # a is back: it stands by
    assert beats.sent() == []


def test_it_releases_the_lease_on_a_clean_shutdown(beats: Beats):
    beats.tick_until_idle(beats.a)
    beats.a.close()

    beats.tick_until_idle(beats.b)

    assert beats.b.holding and beats.sent() == ["test.dispatch", "test.dispatch", "test.sweep", "test.sweep"]


def test_it_sends_nothing_while_the_database_cannot_be_reached(caplog: pytest.LogCaptureFixture):
    app = Celery("beat-test", broker="memory://", set_as_current=False)
    engine = make_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere", connect_args={"connect_timeout": 2}
    )
    beat = LeasedScheduler(app, engine=engine, holder="beat-a")

    try:
        assert beat.tick() == STANDBY_POLL and not beat.holding
    finally:
        engine.dispose()
    assert any(m.startswith("beat: cannot reach the database, sending nothing") for m in caplog.messages)


def test_it_renews_the_lease_while_active(beats: Beats, leases: Engine):
    clock = beats.clock
    for _ in range(30):  # a minute of ticks, every 2 s
        beats.a.tick()
        clock.advance(2)

    with Session(leases) as session:
        lease = get_lease(session=session, name=LEASE_NAME)
    assert lease is not None and lease.holder == "beat-a" and lease.renewed_at is not None
    assert clock() - lease.renewed_at <= timedelta(seconds=2)
