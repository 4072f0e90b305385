"""Alembic, configured in code (no alembic.ini), so migrations run from an installed package.

Alembic (and Mako, and through it Pygments) costs more to import than the rest of a command, and
the commands that only *check* the schema's revision must answer at once. So checking does not
import Alembic: the database's revision is one ``SELECT`` of Alembic's own ``alembic_version``
table, and the newest revision is read from the ``revision =`` lines of the files in
``migrations/versions``. Only ``upgrade`` and ``downgrade`` import Alembic.
tests/test_store_migrations.py checks both answers against Alembic's.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default; env.py does not change it


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for our migrations; with ``connection``, env.py migrates through it."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest), in one transaction where the DB allows."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(revisions) > 1:  # our history has no branches: someone else's migrations are in there
        raise ValueError(f"the database is at several revisions at once: {', '.join(sorted(revisions))}")
    return revisions[0] if revisions else None


def head_revision() -> str | None:
    """The newest revision in ``migrations/versions``: the one no other revision follows."""
    return _head_of(MIGRATIONS / "versions")


@functools.cache
def _assignment(name: str) -> re.Pattern[str]:
    # `revision: str = "0003"` or `down_revision: str | None = None`, at the start of a line.
    return re.compile(rf"^{name}\s*(?::[^=\n]*)?=\s*(?:[\"']([^\"'\n]+)[\"']|None)\s*$", re.MULTILINE)


def _head_of(versions: Path) -> str | None:
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in versions.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision = _assignment("revision").search(source)
        if revision is None or revision.group(1) is None:
            continue  # __init__.py, or not a migration
        revisions.add(revision.group(1))
        down = _assignment("down_revision").search(source)
        if down is not None and down.group(1) is not None:
            followed.add(down.group(1))
    heads = revisions - followed
    if len(heads) > 1:
        raise ValueError(f"the migrations have several heads: {', '.join(sorted(heads))}")
    return heads.pop() if heads else None
