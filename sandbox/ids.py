"""Id generation: X-style snowflakes (time-ordered, so ``since_id`` works) and Graph-style ids."""

from __future__ import annotations

TWEPOCH_MS = 1288834974657
_SIMULATED = 1 << 21  # a worker bit that our own posts never use: simulated ids cannot collide


def snowflake(epoch_seconds: float, low_bits: int = 0) -> int:
    return (int(epoch_seconds * 1000) - TWEPOCH_MS) << 22 | (low_bits & 0x3FFFFF)


def snowflake_time(snowflake_id: int) -> float:
    """Epoch seconds a snowflake was minted at."""
    return ((snowflake_id >> 22) + TWEPOCH_MS) / 1000


def simulated_snowflake(epoch_seconds: float, entropy: int) -> int:
    return snowflake(epoch_seconds, _SIMULATED | (entropy & (_SIMULATED - 1)))


class IdSource:
    """Strictly increasing ids, even when the sandbox clock is frozen or moved backwards."""

    def __init__(self) -> None:
        self.last_x = 0
        self.last_graph = 122_100_000_000_000_000

    def next_x(self, epoch_seconds: float) -> str:
        # Our own ids keep the simulated bit clear; several per millisecond just count up.
        candidate = snowflake(epoch_seconds, 1 << 12)
        if candidate <= self.last_x or candidate & _SIMULATED:
            candidate = self.last_x + 1
        self.last_x = candidate
        return str(candidate)

    def next_graph(self) -> str:
        self.last_graph += 1
        return str(self.last_graph)

    def observe(self, existing_id: str) -> None:
        """Keep future ids above one loaded from the state file."""
        numeric = existing_id.rsplit("_", 1)[-1]
        if not numeric.isdigit():
            return
        value = int(numeric)
        if value >= 122_100_000_000_000_000 and value < 10**18:
            self.last_graph = max(self.last_graph, value)
        elif not value & _SIMULATED:
            self.last_x = max(self.last_x, value)


def encode_token(value: int) -> str:
    """An opaque-looking pagination token (base 36, as long as X's are)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while value:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return (out or "0").rjust(16, "0")


def decode_token(token: str) -> int | None:
    try:
        return int(token, 36)
    except ValueError:
        return None
