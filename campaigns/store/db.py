"""Engine and sessions. SQLite (WAL, busy timeout) by default; PostgreSQL via ``DATABASE_URL``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url

from campaigns import clock
from campaigns.settings import get_settings

if TYPE_CHECKING:  # imported by session_scope when it runs: read_connection's users load no ORM
    from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A pooled server connection idle for longer than this is pinged before it is used again (the
# server may have restarted or dropped it meanwhile). One used again sooner (the next transaction
# of the same task: a publish is two or three in a row) is not: a ping is a round trip, and pinging
# every checkout was an eighth of the database work of a published post.
PING_AFTER_IDLE_SECONDS = 2.0


def database_url() -> str:
    """The database the service and the CLI use: settings' ``DATABASE_URL`` (default SQLite in ./var).

    Raises campaigns.settings.SettingsError when the configuration is invalid.
    """
    return get_settings().database_url


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: ``database_url()``), set up for many short concurrent transactions.

    A SQLite file's folder is created if missing. Raises sqlalchemy.exc.ArgumentError for a bad URL.
    On PostgreSQL the server's clock becomes the process's time authority (``campaigns.clock``).
    """
    parsed = make_url(url or database_url())
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "checkin", _on_checkin)
        event.listen(engine, "checkout", _IdlePing(engine.dialect))
        if parsed.get_backend_name() == "postgresql":
            # The one clock every worker and beat shares: a host whose clock is off or steps does
            # not publish early, nor hold an account an hour too long. SQLite is on this machine:
            # its clock is ours, nothing to register.
            clock.set_reference(DatabaseClock(engine))
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


class DatabaseClock:
    """The database server's clock: ``campaigns.clock``'s reference source on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __call__(self) -> datetime:
        # clock_timestamp(), not now(): now() is the transaction's start.
        with self._engine.connect() as connection:
            value = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


class _IdlePing:
    """SQLAlchemy's ``pool_pre_ping``, for connections idle since ``PING_AFTER_IDLE_SECONDS`` only: a
    dead one is replaced (the pool reconnects) before the caller sees it."""

    def __init__(self, dialect: Any) -> None:
        self._dialect = dialect

    def __call__(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one just used
        try:
            self._dialect.do_ping(dbapi_connection)
        except Exception as e:  # whatever the driver raises for a dead connection
            raise exc.DisconnectionError(f"pooled connection failed its ping: {type(e).__name__}") from e


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module (it would BEGIN lazily, only before a
    # write); _on_sqlite_begin issues the BEGIN instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # WAL: readers never block the writer, nor the writer the readers.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode except on power loss
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, waiting up to busy_timeout for it. A deferred
    # transaction that reads, then writes after another process committed, fails at once with
    # SQLITE_BUSY: the busy timeout cannot help there. Transactions here are short, so
    # serialising them costs little and makes "read, decide, conditional UPDATE" safe.
    # The price: on SQLite an open transaction blocks every other writer, so never keep one open
    # across a platform call (commit first; sessions from session_scope don't reload on access).
    # Read-only work opts out (session_scope(read_only=True)): a deferred read blocks nobody in WAL.
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


@contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session whose transaction commits when the block ends, and rolls back if it raises.

    ``read_only``: never committed, and on SQLite it takes no write lock (others keep writing).
    """
    from sqlmodel import Session

    bind = engine.execution_options(sqlite_begin="DEFERRED") if read_only else engine
    # expire_on_commit=False: rows read in the block stay readable after it (the CLI prints them).
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            if not read_only:
                session.commit()
            # read_only: closing the session ends its transaction without expiring what was read.
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction on a Core connection: ``session_scope(read_only=True)`` without the ORM,
    for the reads written on ``campaigns.store.core_tables`` (the commands that must answer at once).

    Never committed (closing the connection rolls back); on SQLite it takes no write lock.
    """
    with engine.execution_options(sqlite_begin="DEFERRED").connect() as connection:
        yield connection
