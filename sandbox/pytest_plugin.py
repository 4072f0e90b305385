"""pytest fixtures for the platform sandbox (registered in tests/conftest.py).

``sandbox_server``: one sandbox for the whole session. ``sandbox``: that server, reset before the
test (nothing published, real time, no faults, default limits).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.testing import SandboxHandle, run_sandbox


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


@pytest.fixture
def sandbox(sandbox_server: SandboxHandle) -> SandboxHandle:
    sandbox_server.reset()
    return sandbox_server
