"""The configuration every SQLModel table class shares."""

from __future__ import annotations

from sqlmodel._compat import SQLModelConfig

# Every table's pydantic validator and serializer are built on first use, not when its class is
# defined (~1 ms a table): SQLModel loads and inserts rows without them, so most commands never
# build them. (Here, not in ``types``: the column types are also used where SQLModel is not loaded.)
DEFERRED_BUILD = SQLModelConfig(defer_build=True)
