"""Alembic environment: migrate through the connection ``campaigns.store.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from campaigns.store import register_tables
from campaigns.store.db import make_engine

register_tables()  # every table on SQLModel.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")

given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:  # the `alembic` command itself, pointed here by hand: use the configured database
    with make_engine().begin() as connection:
        run(connection)
