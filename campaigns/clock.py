"""The one place the product reads the wall clock.

Everything else takes ``now`` as an argument (or a ``Clock`` callable, defaulting to ``utc_now``)
so that tests can pass a fake one; aware and in UTC, as the database stores it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)
