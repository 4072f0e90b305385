"""Builders for the publishing tests: a clock shared with the sandbox, a Context, a "tick".

Also a pytest plugin (tests/conftest.py): the ``clock`` and ``ctx`` fixtures.

The clock starts at ``NOW`` and only moves when a test (or the code under test, by sleeping)
advances it; the sandbox's clock moves with it, so the platform's timestamps, rate-limit resets
and duplicate windows agree with ours.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.platforms import Platform, get_platform
from campaigns.publishing import Context, PlatformPool, dispatch_due, publish_post
from campaigns.publishing.outcome import PublishResult
from campaigns.settings import load_settings
from campaigns.store.models import AccountState, Attempt, Post
from campaigns.store.pipeline_models import BeatLease
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_post

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def clock(sandbox: SandboxHandle) -> SharedClock:
    """Our clock and the sandbox's, frozen together at ``NOW``."""
    return SharedClock(sandbox)


@pytest.fixture
def ctx(engine: Engine, sandbox: SandboxHandle, clock: SharedClock) -> Context:
    """A publishing Context on the test's database and the sandbox's demo accounts."""
    return make_context(engine, sandbox, clock)


class SharedClock:
    """Our clock and the sandbox's, frozen together at ``start``; ``advance``/``sleep`` move both."""

    def __init__(self, sandbox: SandboxHandle | None, start: datetime = NOW) -> None:
        self.now = start
        self.sandbox = sandbox
        self.slept: list[float] = []
        if sandbox is not None:
            sandbox.set_clock(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        if self.sandbox is not None:
            self.sandbox.advance(seconds)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def to(self, when: datetime) -> None:
        self.advance((when - self.now).total_seconds())


def make_context(
    engine: Engine,
    sandbox: SandboxHandle,
    clock: SharedClock,
    *,
    http_timeout: float = 10.0,
    wrap: Callable[[Platform], Platform] | None = None,
    worker: str = "test-worker",
) -> Context:
    """A Context on the sandbox's demo accounts; ``wrap`` can put something around each adapter."""
    settings = load_settings(sandbox_url=sandbox.url, http_timeout=http_timeout)

    def factory(channel: str, account: str) -> Platform:
        adapter = get_platform(channel, account, settings)
        return wrap(adapter) if wrap else adapter

    return Context(
        engine=engine,
        platforms=PlatformPool(settings, factory=factory),
        clock=clock,
        sleep=clock.sleep,
        worker=worker,
        rng=random.Random(7),
    )


@dataclass
class Queue:
    """Stands in for the broker: what the dispatcher enqueued, in order, a (post id, ETA) per post;
    ``batches`` keeps the messages themselves."""

    messages: list[tuple[str, datetime]] = field(default_factory=list)
    batches: list[tuple[list[str], datetime]] = field(default_factory=list)
    on_time: list[str] = field(default_factory=list)  # the posts enqueued as on time

    def __call__(self, post_ids: list[str], eta: datetime, on_time: bool = True) -> None:
        self.batches.append((post_ids, eta))
        self.on_time += post_ids if on_time else []
        self.messages += [(post_id, eta) for post_id in post_ids]

    def drain(self) -> list[tuple[str, datetime]]:
        taken, self.messages = self.messages, []
        return taken


def tick(ctx: Context) -> list[PublishResult]:
    """One dispatcher tick, then a worker running every message it enqueued."""
    queue = Queue()
    dispatch_due(ctx, queue)
    return [publish_post(ctx, post_id) for post_id, _ in queue.drain()]


def post_row(engine: Engine, post_id: str) -> Post:
    with Session(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post


def account_row(engine: Engine, platform: str, account: str) -> AccountState | None:
    with Session(engine) as session:
        return session.get(AccountState, (platform, account))


def attempts_of(engine: Engine, post_id: str) -> list[Attempt]:
    from sqlmodel import col, select

    with Session(engine) as session:
        stmt = select(Attempt).where(col(Attempt.post_id) == post_id).order_by(col(Attempt.number))
        return list(session.exec(stmt).all())


def clear_leases(engine: Engine) -> None:
    """The PostgreSQL fixture empties only the schedule's tables; the lease is ours to clean."""
    from sqlmodel import delete

    with Session(engine) as session:
        session.exec(delete(BeatLease))
        session.commit()


def image(tmp_path: Path) -> Path:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    return path


class Crash(BaseException):
    """The process dies here (nothing in the code under test may catch it)."""


class CrashAfterParts:
    """A real adapter that "kills the worker" after ``parts`` successful creates."""

    def __init__(self, inner: Platform, parts: int) -> None:
        self.inner, self.left = inner, parts

    def publish(self, text: str, **kwargs: Any) -> Any:
        if self.left == 0:
            raise Crash
        self.left -= 1
        return self.inner.publish(text, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def publish_and_record(ctx: Context, engine: Engine, post_id: str, channel: str, text: str) -> str:
    """Publish through the real adapter and record the post as published, as the pipeline does."""
    remote = ctx.platforms.get(channel, "default").publish(text)
    with Session(engine) as session:
        add_post(
            session,
            post_id,
            at=ctx.clock(),
            channel=channel,
            status="published",
            remote_ids=[remote.id],
            published_at=ctx.clock(),
        )
    return remote.id
