"""Helpers for the statements every published post runs, written as Core rather than ORM statements.

The ORM's bulk UPDATE and unit-of-work INSERT spend more CPU than the statements themselves (they
compile an ORM statement, build cache keys, synchronise the session): at thousands of posts a
minute on two cores, that was a tenth of all the CPU a post cost. The same statements in Core, run
on the session's connection (same transaction), plus ``show_in_session`` for a copy of the row the
session may hold, behave the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table

if TYPE_CHECKING:  # not imported to run: the commands that read through Core load no ORM
    from sqlmodel import Session, SQLModel


def connection_of(session: Session | Connection) -> Connection:
    """The session's connection (its transaction), after writing what the session holds pending: the
    autoflush an ORM statement would have done, so that a Core statement sees the same rows.

    A Connection is its own: the reads written in Core take either (``campaigns.store.core_tables``).
    """
    if isinstance(session, Connection):
        return session
    session.flush()
    return session.connection()


def table_of(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel for table models
    return table


def show_in_session(session: Session, model: type[SQLModel], key: Any, values: Mapping[str, Any]) -> None:
    """What the ORM's session synchronisation did: the session's copy of the row ``key`` (if it holds
    one) shows ``values``, without becoming dirty (they are in the database already)."""
    loaded = session.identity_map.get(session.identity_key(model, key))
    if loaded is not None:
        from sqlalchemy.orm.attributes import set_committed_value  # the ORM is loaded: a session exists

        for name, value in values.items():
            set_committed_value(loaded, name, value)
