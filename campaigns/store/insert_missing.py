"""``INSERT ... ON CONFLICT DO NOTHING`` in the session's dialect: make sure a row exists, race-free."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, TableClause
from sqlalchemy.sql.dml import Insert

if TYPE_CHECKING:
    from sqlmodel import Session, SQLModel


def _dialect_name(session: Session | Connection) -> str:
    return session.dialect.name if isinstance(session, Connection) else session.get_bind().dialect.name


def insert_missing(
    session: Session | Connection, model: type[SQLModel] | TableClause, values: Mapping[str, Any]
) -> Insert:
    """A statement inserting the row ``values`` unless a row with its key exists (then it does nothing).

    ``model``: a table class, or its Core table (``campaigns.store.core_tables``). The dialect's module
    is imported here, when a statement is built: PostgreSQL's brings asyncio and its async drivers'
    support (~70 ms), which the commands reading a SQLite file need not pay.
    """
    if _dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model).values(**values).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model).values(**values).on_conflict_do_nothing()


def dialect_insert(session: Session | Connection) -> Callable[..., Any]:
    """The ``insert`` of the session's dialect (with ``on_conflict_do_...``), imported only now, as in
    ``insert_missing``: the commands reading a SQLite file do not load PostgreSQL's (~30-70 ms)."""
    if _dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
