"""Database fixtures (a pytest plugin, listed in ``tests/conftest.py``) and builders for schedule tests.

``engine`` runs each test twice: on a fresh migrated SQLite file, and (marked ``integration``) on a
throwaway PostgreSQL database created for the test session and dropped at its end. PostgreSQL
missing is an error, not a skip. The schema always comes from the migrations, never ``create_all``.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from campaigns.planned import Media, PlannedPost
from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade
from campaigns.store.models import Campaign, Post

PG_SERVER_URL = os.environ.get("CAMPAIGNS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TABLES = (
    "metric_samples",
    "metric_gaps",
    "read_budget_use",
    "report_deliveries",
    "alerts_sent",
    "attempts",
    "posts",
    "account_state",
    "campaigns",
    "spec_problems",
    "web_sessions",
    "audit_log",
    "login_attempts",
    "users",
)
NOW = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)


class ThrowawayPostgres:
    """Creates databases named ``campaigns_test_<random>`` on the test server, and drops them all."""

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)
        self.admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        name = f"campaigns_test_{secrets.token_hex(6)}"
        try:
            with self.admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except OperationalError as exc:  # a failure, never a skip: these tests must run
            shown = self.server_url.render_as_string(hide_password=True)
            pytest.fail(f"integration tests need PostgreSQL at {shown}: {exc.orig}", pytrace=False)
        self.created.append(name)
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        with self.admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    postgres = ThrowawayPostgres(PG_SERVER_URL)
    try:
        yield postgres
    finally:
        postgres.drop_all()


@pytest.fixture(scope="session")
def postgres_url(throwaway_postgres: ThrowawayPostgres) -> str:
    """One migrated PostgreSQL database for the session; ``engine`` empties its tables after each test."""
    url = throwaway_postgres.create()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated schedule database (one test = one SQLite file / clean PostgreSQL)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'schedule.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    _empty(url)


def _empty(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)}"))
    engine.dispose()


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """For PostgreSQL-only behaviour (mark the test ``integration``): the session's database, emptied after."""
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()
    _empty(postgres_url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


# --- builders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeSpec:
    """Stands in for ``campaigns.spec.CampaignSpec`` where only the campaign row's fields matter."""

    slug: str = "ssw-week"
    name: str = "Social Service Workforce Week"
    source: str = "campaign_specs/ssw-week.yaml"
    content_hash: str = "0" * 64
    timezone: str = "UTC"
    paused: bool = False
    late_window: timedelta = timedelta(hours=6)


def planned(
    post_id: str = "ssw-week:d1p1:twitter",
    *,
    at: datetime = NOW + timedelta(hours=1),
    text: str = "Hello from the campaign",
    channel: str = "twitter",
    campaign: str = "ssw-week",
    thread: tuple[str, ...] = (),
    media: tuple[Media, ...] = (),
    late_window: timedelta = timedelta(hours=6),
    account: str = "default",
) -> PlannedPost:
    return PlannedPost(
        campaign="Social Service Workforce Week",
        campaign_slug=campaign,
        source=f"campaign_specs/{campaign}.yaml",
        post_id=post_id,
        day=1,
        date=at.date() if at.tzinfo is None else at.astimezone(UTC).date(),
        channel=channel,
        scheduled_at=at,
        local_time=at,
        timezone="UTC",
        text=thread[0] if thread else text,
        thread=thread,
        media=media,
        late_window=late_window,
        account=account,
    )


def add_campaign(
    session: Session, slug: str = "ssw-week", *, now: datetime = NOW, **values: object
) -> Campaign:
    row = Campaign.model_validate(
        {
            "slug": slug,
            "name": slug.replace("-", " ").title(),
            "source": f"campaign_specs/{slug}.yaml",
            "content_hash": "0" * 64,
            "timezone": "UTC",
            "late_window_seconds": 6 * 3600,
            "planned_at": now,
            "created_at": now,
            "updated_at": now,
            **values,
        }
    )
    session.add(row)
    session.commit()
    return row


def add_post(
    session: Session,
    post_id: str = "ssw-week:d1p1:twitter",
    *,
    at: datetime = NOW,
    status: str = "scheduled",
    campaign: str = "ssw-week",
    channel: str = "twitter",
    account: str = "default",
    late_window: timedelta = timedelta(hours=6),
    **values: object,
) -> Post:
    row = Post.model_validate(
        {
            "id": post_id,
            "campaign_slug": campaign,
            "channel": channel,
            "account": account,
            "day": 1,
            "scheduled_at": at,
            "late_window_seconds": int(late_window.total_seconds()),
            "missed_after": at + late_window,
            "text": "Hello from the campaign",
            "status": status,
            "created_at": at - timedelta(days=1),
            "updated_at": at - timedelta(days=1),
            **values,
        }
    )
    session.add(row)
    session.commit()
    return row


def pause_campaign(engine: Engine, slug: str = "ssw-week") -> None:
    """An operator pauses campaign ``slug``, in a transaction of its own (another process)."""
    with Session(engine) as session:
        campaign = session.get(Campaign, slug)
        assert campaign is not None
        campaign.operator_paused = True
        session.add(campaign)
        session.commit()


def status_of(engine: Engine, post_id: str) -> str:
    """The post's status as another connection sees it (what is committed)."""
    with Session(engine) as fresh:
        post = fresh.get(Post, post_id)
        assert post is not None
        return post.status


TODAY = date(2027, 3, 16)
T = TypeVar("T")


def run_concurrently(contenders: int, work: Callable[[int, threading.Barrier], T]) -> list[T]:
    """Run ``work(i, barrier)`` in ``contenders`` threads at once; their results, or the first error.

    ``work`` should ``barrier.wait()`` right before the step that races.
    """
    barrier = threading.Barrier(contenders, timeout=60)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results.append(work(i, barrier))
        except BaseException as exc:  # re-raised below: a thread's exception would be lost
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
