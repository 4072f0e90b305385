"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from campaigns.store.db import make_engine
from campaigns.store.migrate import current_revision, downgrade, head_revision, upgrade


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
