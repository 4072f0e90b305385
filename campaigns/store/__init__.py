"""The schedule, in the database: tables, the post state machine, queries and spec sync.

The database *is* the schedule: a post goes out because its row is due and a dispatcher wins the
conditional UPDATE that claims it, never because a message sits in a broker with an ETA.

Importing this package imports no table: each module imports the tables it uses, so that a command
that reads two tables does not build the classes of all fifteen (SQLModel builds a pydantic model
per table, ~5-20 ms a module). What needs every table on ``SQLModel.metadata`` (the migrations,
schema comparison) calls :func:`register_tables` first.
"""

from __future__ import annotations


def register_tables() -> None:
    """Import every table module, so that ``SQLModel.metadata`` knows all the tables."""
    from campaigns.store import (  # noqa: F401
        metrics_models,
        models,
        pipeline_models,
        report_models,
        web_models,
    )
