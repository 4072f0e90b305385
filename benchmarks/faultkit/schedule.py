"""The seeded fault plan: which fault, when, for how long. Same seed, same plan (replay a failure)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

# Every kind the harness injects besides the worker kills (their number is ``kills``).
KINDS = (
    "beat_kill",  # SIGKILL of the active beat: the standby takes the lease over
    "redis_restart",
    "postgres_restart",
    "latency",  # every platform request waits `seconds` for the fault's duration
    "error_burst",  # the next `times` platform writes answer a 5xx
    "rate_limit",  # a 429 storm (X, with x-rate-limit-reset; Graph code 32)
    "hang",  # platform writes that never answer
    "cut",  # "accepted, then the connection cut" on post creation
    "revoke",  # one account's credential revoked, then restored
)
ONCE = ("redis_flush", "clock_back", "clock_forward", "spec_edit")


@dataclass(frozen=True, order=True)
class Fault:
    at: float  # seconds after the fault phase starts
    kind: str
    seconds: float = 0.0  # how long it lasts (0: an instant)
    params: dict[str, Any] = field(default_factory=dict, compare=False)


def plan(
    seed: int, *, seconds: float, kills: int, each: int, campaigns: int, skip: tuple[str, ...] = ()
) -> list[Fault]:
    rng = random.Random(seed)
    faults = [
        Fault(rng.uniform(0, seconds), "worker_kill", 0.0, {"worker": rng.randrange(2)}) for _ in range(kills)
    ]
    for kind in KINDS:
        faults += [_fault(rng, kind, rng.uniform(0, seconds * 0.9), campaigns) for _ in range(each)]
    for kind in ONCE:
        faults.append(_fault(rng, kind, rng.uniform(0, seconds * 0.8), campaigns))
    return sorted(f for f in faults if f.kind not in skip)  # drawn first: the others keep their times


def _fault(rng: random.Random, kind: str, at: float, campaigns: int) -> Fault:
    platform = rng.choice(["x", "facebook"])
    if kind == "latency":
        return Fault(at, kind, rng.uniform(5, 20), {"delay": round(rng.uniform(1, 4), 2)})
    if kind in ("error_burst", "rate_limit", "hang", "cut"):
        times = rng.randint(1, 3) if kind in ("hang", "cut") else rng.randint(3, 20)
        return Fault(at, kind, 0.0, {"platform": platform, "times": times})
    if kind == "revoke":
        return Fault(
            at, kind, rng.uniform(10, 40), {"platform": platform, "account": rng.randint(1, campaigns)}
        )
    if kind in ("clock_back", "clock_forward"):
        return Fault(at, kind, rng.uniform(5, 15))
    return Fault(at, kind)
