"""The Core tables the fast commands read (``campaigns.store.core_tables``) agree with the SQLModel
classes, which are the schema: every column they name exists there, with a type of the same kind."""

from __future__ import annotations

import pytest
from sqlalchemy import TableClause
from sqlmodel import AutoString, SQLModel

from campaigns.store import core_tables

TABLES = [value for value in vars(core_tables).values() if isinstance(value, TableClause)]


@pytest.mark.parametrize("light", TABLES, ids=[t.name for t in TABLES])
def test_each_core_table_names_the_models_columns_with_their_types(light: TableClause):
    schema = SQLModel.metadata.tables[light.name]  # conftest registered every table
    for column in light.columns:
        assert column.name in schema.columns, f"{light.name}.{column.name} is not in the schema"
        declared = schema.columns[column.name].type
        if isinstance(declared, AutoString):  # what SQLModel makes of a `str` field: a String
            declared = declared.impl_instance
        assert isinstance(declared, type(column.type)), (light.name, column.name, declared, column.type)


def test_the_core_tables_cover_every_column_of_the_tables_they_name():
    # All of them: a query written on a Core table can then read anything its model could.
    for light in TABLES:
        assert set(light.columns.keys()) == set(SQLModel.metadata.tables[light.name].columns.keys())
