"""The schedule database as the commands use it: opened only at the current schema revision,
errors in one line, the clock they plan with, and ``campaigns db upgrade|current``.

Checking the revision imports no Alembic (see campaigns.store.migrate): only ``db upgrade`` does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from campaigns.clock import utc_now

if TYPE_CHECKING:
    from sqlalchemy import Engine

P = ParamSpec("P")
R = TypeVar("R")


def utcnow() -> datetime:
    """The schedule commands' clock (tests set it here)."""
    return utc_now()


def friendly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors people cause or meet into one line (click prints it, exit code 1)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except click.ClickException:
            raise
        except Exception as exc:
            message = _one_line(exc)
            if message is None:
                raise  # a bug: its traceback is what a developer needs
            raise click.ClickException(message) from None

    return wrapper


def _one_line(exc: Exception) -> str | None:
    # Imported here, when something went wrong: a command that succeeds loads only what it uses.
    from sqlalchemy.exc import OperationalError

    from campaigns.settings import SettingsError
    from campaigns.store.queries import NotRetryable
    from campaigns.store.status_report import NotFound
    from campaigns.store.sync import ScheduleConflict

    if isinstance(exc, NotFound | NotRetryable | SettingsError | ScheduleConflict):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder: {exc.filename or exc}"
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown error"
        return f"cannot use the database {shown_url()}: {reason}"
    return None


def shown_url() -> str:
    """The database's URL without its password."""
    from sqlalchemy.engine import make_url

    from campaigns.store.db import database_url

    return make_url(database_url()).render_as_string(hide_password=True)


@contextmanager
def open_engine(*, migrated: bool = True) -> Iterator[Engine]:
    """The schedule database's engine; with ``migrated``, refuses a database not at the newest revision."""
    from campaigns.store import migrate
    from campaigns.store.db import make_engine

    engine = make_engine()
    try:
        if migrated and migrate.current_revision(engine) != migrate.head_revision():
            raise click.ClickException(
                f"the database {shown_url()} is not up to date: run `campaigns db upgrade`"
            )
        yield engine
    finally:
        engine.dispose()


@click.group()
def db() -> None:
    """The schedule database (DATABASE_URL; default SQLite in ./var)."""


@db.command()
@friendly
def upgrade() -> None:
    """Create or update the database's tables (run after installing a new version)."""
    from campaigns.store import migrate

    with open_engine(migrated=False) as engine:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    change = "already up to date" if before == after else f"upgraded from {before or 'empty'}"
    click.echo(f"Database {shown_url()}: {change}, at revision {after}.")


@db.command()
@friendly
def current() -> None:
    """Show the database's schema revision, and the newest this version knows."""
    from campaigns.store import migrate

    with open_engine(migrated=False) as engine:
        revision = migrate.current_revision(engine)
    head = migrate.head_revision()
    verdict = "up to date" if revision == head else "run `campaigns db upgrade`"
    click.echo(f"Database {shown_url()}: revision {revision or 'none (empty)'}; newest {head}: {verdict}.")
