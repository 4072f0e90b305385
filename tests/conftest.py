"""Shared fixtures. The platform sandbox fixtures come from ``sandbox.pytest_plugin``.

Property tests (hypothesis) are derandomized by default, so that ``make test`` gives the same
result on every run and CI never fails on an example no one has seen locally. To look for new
failing examples, run them with ``HYPOTHESIS_PROFILE=explore`` (random) and more examples (each
test file names its variable, e.g. ``READER_EXAMPLES=20000``).
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from campaigns import clock
from campaigns.store import register_tables

register_tables()  # SQLModel.metadata knows every table (create_all, schema comparison)

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

pytest_plugins = [
    "sandbox.pytest_plugin",
    "tests.support.db_fixtures",
    "tests.support.publishing_fixtures",
    "tests.support.service_processes",
    "tests.support.web_fixtures",
]


@pytest.fixture(autouse=True)
def _no_stale_time_reference() -> Iterator[None]:
    """Each test starts and ends on this machine's clock: a PostgreSQL engine a test makes registers
    its server's clock (campaigns.clock), and a reference left behind would reconnect an engine
    the test already disposed of (an unclosed connection when it is collected)."""
    clock.set_reference(None)
    yield
    clock.set_reference(None)
