"""On PostgreSQL the database server's clock is the service's: a host whose clock steps an hour
forward or back (``campaigns.clock.local_now`` stepped as the fault harness does) neither publishes
early nor holds an account an hour too long."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from campaigns import clock
from campaigns.clock import local_now, utc_now
from campaigns.publishing import dispatch_due
from campaigns.publishing.publish import publish_post
from campaigns.store.db import make_engine
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import add_campaign, add_post, status_of
from tests.support.publishing_fixtures import Queue, SharedClock, make_context

pytestmark = pytest.mark.integration
HOUR = 3600.0


@pytest.fixture
def host_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, float]]:
    """``["offset"]``: seconds added to this host's clock as the product reads it. The reference
    registered before the test comes back after it."""
    monkeypatch.setattr(clock, "_reference", None)
    offset = {"offset": 0.0}
    original = clock.local_now.__code__

    def stepped() -> datetime:  # runs with campaigns.clock's globals, as in benchmarks/faultkit/launch.py
        return datetime.now(UTC) + timedelta(seconds=_test_host_offset())  # type: ignore[name-defined]  # noqa: F821

    clock._test_host_offset = lambda: offset["offset"]  # type: ignore[attr-defined]
    clock.local_now.__code__ = stepped.__code__
    try:
        yield offset
    finally:
        clock.local_now.__code__ = original
        del clock._test_host_offset  # type: ignore[attr-defined]


def database_now(engine: Engine) -> datetime:
    with engine.connect() as connection:
        return connection.execute(text("SELECT clock_timestamp()")).scalar_one()  # type: ignore[no-any-return]


@pytest.mark.parametrize("step", [HOUR, -HOUR])
def test_the_service_clock_is_the_databases_whatever_this_hosts_clock_says(
    postgres_url: str, host_clock: dict[str, float], step: float
):
    engine = make_engine(postgres_url)  # registers the server's clock
    try:
        utc_now()  # synced while the host's clock was right ...
        host_clock["offset"] = step  # ... and still right after it stepped
        assert abs((local_now() - database_now(engine)).total_seconds() - step) < 1
        assert abs(utc_now() - database_now(engine)) < timedelta(seconds=1)

        clock.set_reference(clock.reference_clock()._source)  # type: ignore[union-attr]  # a fresh process
        assert abs(utc_now() - database_now(engine)) < timedelta(seconds=1)
    finally:
        engine.dispose()


def test_sqlite_registers_no_reference(tmp_path: Path, host_clock: dict[str, float]):
    make_engine(f"sqlite:///{tmp_path / 'schedule.db'}").dispose()

    assert clock.reference_clock() is None
    host_clock["offset"] = HOUR
    assert abs(utc_now() - local_now()) < timedelta(seconds=1)  # the same machine's clock


def test_a_post_due_in_30_minutes_is_neither_claimed_nor_published_while_the_host_is_an_hour_ahead(
    host_clock: dict[str, float], postgres_engine: Engine, sandbox: SandboxHandle
):
    pg = postgres_engine  # created after host_clock: its server clock is the registered reference
    sandbox.reset()
    slept: list[float] = []
    ctx = replace(make_context(pg, sandbox, SharedClock(None)), clock=utc_now, sleep=slept.append)
    due = database_now(pg) + timedelta(minutes=30)
    with Session(pg) as session:
        add_campaign(session)
        add_post(session, "due-in-30-min", at=due, account="1")
        # a message a worker ran at once (its ETA "past" on a clock an hour ahead)
        add_post(session, "claimed-early", at=due, account="1", status="claimed", claimed_by="dispatcher")
    host_clock["offset"] = HOUR

    queue = Queue()
    dispatch_due(ctx, queue)
    result = publish_post(ctx, "claimed-early")

    assert queue.messages == []
    assert status_of(pg, "due-in-30-min") == "scheduled"
    assert result.outcome == "released" and status_of(pg, "claimed-early") == "scheduled"
    assert slept == [] and sandbox.posts() == []
