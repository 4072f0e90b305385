"""The sandbox's clock: real time by default; tests set, freeze and advance it.

Everything time-dependent in the sandbox (created_at, rate-limit windows, the 24 h duplicate
window, engagement growth, the simulated chatter) reads this clock, so that a week of a campaign's
life can be replayed in seconds.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    def __init__(self) -> None:
        self._frozen_at: float | None = None  # epoch seconds while frozen
        self._offset = 0.0  # added to real time while running

    def now_ts(self) -> float:
        """Epoch seconds on the sandbox clock."""
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.now_ts(), UTC)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def set(self, when: datetime, *, frozen: bool = True) -> None:
        """Jump to ``when`` (aware); frozen there until advanced, or running on from it."""
        if when.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        target = when.timestamp()
        if frozen:
            self._frozen_at, self._offset = target, 0.0
        else:
            self._frozen_at, self._offset = None, target - time.time()

    def advance(self, seconds: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def follow_real_time(self) -> None:
        self._frozen_at, self._offset = None, 0.0

    def state(self) -> dict[str, float | None]:
        return {"frozen_at": self._frozen_at, "offset": self._offset}

    def restore(self, state: dict[str, float | None]) -> None:
        frozen_at, offset = state.get("frozen_at"), state.get("offset")
        self._frozen_at = float(frozen_at) if frozen_at is not None else None
        self._offset = float(offset or 0.0)


def iso_ms(when: datetime) -> str:
    """X's timestamp format: always milliseconds and a Z (tweepy's parser requires the milliseconds)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def graph_time(when: datetime) -> str:
    """The Graph API's timestamp format: ``2026-11-22T10:00:00+0000``."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_iso(value: str) -> datetime:
    """An ISO 8601 / RFC 3339 instant; a naive one is refused (the sandbox stores UTC only)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone")
    return parsed.astimezone(UTC)
