"""``INSERT ... ON CONFLICT DO NOTHING`` in the session's dialect: make sure a row exists, race-free."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, SQLModel


def insert_missing(session: Session, model: type[SQLModel], values: Mapping[str, Any]) -> Insert:
    """A statement inserting the row ``values`` unless a row with its key exists (then it does nothing).

    The dialect's module is imported here, when a statement is built: PostgreSQL's brings asyncio
    and its async drivers' support (~70 ms), which the commands reading a SQLite file need not pay.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model).values(**values).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model).values(**values).on_conflict_do_nothing()


def dialect_insert(session: Session) -> Callable[..., Any]:
    """The ``insert`` of the session's dialect (with ``on_conflict_do_...``), imported only now, as in
    ``insert_missing``: the commands reading a SQLite file do not load PostgreSQL's (~30-70 ms)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
