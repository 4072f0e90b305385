"""Times go in aware, are stored in UTC, and come back aware UTC on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import StatementError
from sqlmodel import Session, col, select

from campaigns.store.models import Post
from campaigns.store.types import NaiveDatetimeError
from tests.support.db_fixtures import add_campaign, add_post


def test_it_returns_aware_utc_datetimes_for_values_given_in_any_zone(session: Session, engine: Engine):
    add_campaign(session)
    auckland = datetime(2027, 3, 17, 9, 30, 15, 123456, tzinfo=ZoneInfo("Pacific/Auckland"))
    add_post(session, at=auckland)

    with Session(engine) as fresh:
        post = fresh.get(Post, "ssw-week:d1p1:twitter")
        assert post is not None
        assert post.scheduled_at.tzinfo is UTC
        assert post.scheduled_at == auckland
        assert post.scheduled_at.replace(tzinfo=None) == datetime(2027, 3, 16, 20, 30, 15, 123456)
        assert post.published_at is None


def test_it_compares_stored_times_as_instants_in_queries(session: Session):
    add_campaign(session)
    add_post(session, "early", at=datetime(2027, 3, 16, 8, 59, tzinfo=UTC))
    add_post(session, "late", at=datetime(2027, 3, 16, 10, 1, tzinfo=UTC))
    # 10:00 in UTC+1 is 09:00 UTC: only "early" is before it.
    bound = datetime(2027, 3, 16, 10, 0, tzinfo=timezone(timedelta(hours=1)))

    found = session.exec(select(Post.id).where(col(Post.scheduled_at) < bound)).all()

    assert found == ["early"]


def test_it_refuses_naive_datetimes(session: Session):
    add_campaign(session)
    with pytest.raises(StatementError) as raised:
        add_post(session, at=datetime(2027, 3, 16, 9, 0))  # naive: no zone
    assert isinstance(raised.value.orig, NaiveDatetimeError)


def test_it_stores_utc_in_the_database_itself(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, at=datetime(2027, 3, 16, 11, 0, tzinfo=timezone(timedelta(hours=2))))

    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TIME ZONE 'UTC'")
        raw = connection.execute(text("SELECT scheduled_at FROM posts")).scalar_one()
    assert str(raw).startswith("2027-03-16 09:00:00")
