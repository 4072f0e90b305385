"""Engine set-up: SQLite in WAL mode with a busy timeout, writers that queue instead of failing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from campaigns.store.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, session_scope
from campaigns.store.migrate import upgrade
from campaigns.store.models import Post
from campaigns.store.states import PostStatus, transition
from tests.support.db_fixtures import NOW, add_campaign, add_post, run_concurrently, status_of


def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'campaigns.db'}")
    upgrade(engine)
    return engine


def test_it_creates_the_folder_and_turns_on_wal_busy_timeout_and_foreign_keys(tmp_path: Path):
    engine = sqlite_engine(tmp_path)
    try:
        with engine.connect() as connection:
            pragmas = [
                connection.execute(text(f"PRAGMA {p}")).scalar()
                for p in ("journal_mode", "busy_timeout", "foreign_keys")
            ]
        assert pragmas == ["wal", SQLITE_BUSY_TIMEOUT_MS, 1]
    finally:
        engine.dispose()


def test_it_lets_concurrent_sqlite_writers_queue_for_the_lock_instead_of_failing(tmp_path: Path):
    engine = sqlite_engine(tmp_path)
    try:
        with Session(engine) as setup:
            add_campaign(setup)
            for n in range(20):
                add_post(setup, f"p{n:02}")

        def cancel_my_share(worker: int, barrier: threading.Barrier) -> int:
            won = 0
            barrier.wait()
            for n in range(worker, 20, 4):
                with session_scope(engine) as session:
                    post = session.get(Post, f"p{n:02}")  # read, then write: safe under BEGIN IMMEDIATE
                    assert post is not None
                    won += transition(
                        session=session,
                        post_id=post.id,
                        expected=PostStatus(post.status),
                        to=PostStatus.CANCELLED,
                        now=NOW,
                    )
            return won

        assert sum(run_concurrently(4, cancel_my_share)) == 20
    finally:
        engine.dispose()


def test_it_lets_a_writer_proceed_while_a_read_only_session_is_open(engine: Engine):
    with Session(engine) as setup:
        add_campaign(setup)
        add_post(setup)
    with session_scope(engine, read_only=True) as reader:
        assert [p.id for p in reader.exec(select(Post))] == ["ssw-week:d1p1:twitter"]
        with session_scope(engine) as writer:  # would wait for the reader if reads took the write lock
            transition(
                session=writer,
                post_id="ssw-week:d1p1:twitter",
                expected=PostStatus.SCHEDULED,
                to=PostStatus.CANCELLED,
                now=NOW,
            )
    assert status_of(engine, "ssw-week:d1p1:twitter") == "cancelled"


def test_it_commits_a_session_scope_and_rolls_it_back_on_error(engine: Engine):
    with Session(engine) as setup:
        add_campaign(setup)
        add_post(setup)
    with pytest.raises(RuntimeError, match="boom"), session_scope(engine) as session:
        transition(
            session=session,
            post_id="ssw-week:d1p1:twitter",
            expected=PostStatus.SCHEDULED,
            to=PostStatus.CANCELLED,
            now=NOW,
        )
        raise RuntimeError("boom")
    assert status_of(engine, "ssw-week:d1p1:twitter") == "scheduled"
