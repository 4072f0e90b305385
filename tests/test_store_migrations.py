"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from campaigns.store.db import make_engine
from campaigns.store.migrate import (
    _head_of,
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)


def test_it_leaves_nothing_between_the_models_and_the_migrated_schema(engine: Engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_it_is_at_the_head_revision_after_upgrading(engine: Engine):
    assert current_revision(engine) == head_revision() is not None


def test_it_downgrades_to_nothing_and_upgrades_again(db_url: str):
    engine = make_engine(db_url)
    try:
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        upgrade(engine)

        assert current_revision(engine) == head_revision()
        assert {"campaigns", "posts", "attempts", "account_state"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_it_upgrades_an_up_to_date_database_without_changing_anything(engine: Engine):
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def _alembic_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_it_reads_the_same_head_as_alembic_without_importing_it():
    script = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == script.get_current_head() is not None


def test_it_reads_the_same_revision_as_alembic_at_every_step(db_url: str):
    engine = make_engine(db_url)
    try:
        downgrade(engine, "base")
        assert current_revision(engine) is None
        for step in ("0001", "0002", "head"):
            upgrade(engine, step)
            assert current_revision(engine) == _alembic_revision(engine) is not None
    finally:
        engine.dispose()


def test_it_reads_no_revision_from_a_database_without_tables(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert current_revision(engine) is None
    finally:
        engine.dispose()


def _write_migration(folder: Path, revision: str, down: str | None) -> None:
    down_value = f'"{down}"' if down else "None"
    (folder / f"{revision}_step.py").write_text(
        f'"""Step {revision}."""\n\nrevision: str = "{revision}"\ndown_revision: str | None = {down_value}\n'
    )


def test_it_finds_the_head_as_the_revision_no_other_follows(tmp_path: Path):
    (tmp_path / "__init__.py").write_text("")
    _write_migration(tmp_path, "b", "a")
    _write_migration(tmp_path, "a", None)
    _write_migration(tmp_path, "c", "b")
    assert _head_of(tmp_path) == "c"


def test_it_refuses_migrations_with_two_heads(tmp_path: Path):
    _write_migration(tmp_path, "a", None)
    _write_migration(tmp_path, "b", "a")
    _write_migration(tmp_path, "c", "a")
    with pytest.raises(ValueError, match="several heads: b, c"):
        _head_of(tmp_path)
