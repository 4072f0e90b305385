"""Fault injection: what the network and the platforms do on a bad day.

A fault is a JSON spec posted to ``/_sandbox/faults``. It matches requests by platform, method,
path pattern (shell-style, e.g. ``/2/tweets*``; Graph paths are matched without their ``/vNN.0``
prefix) and account (X user id or username, Facebook Page id), and fires every time, ``times``
times, or with ``probability`` (drawn from its own seeded generator, so a run is repeatable).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

KINDS = ("latency", "error", "hang", "rate_limit", "revoke", "cut")
_GRAPH_VERSION = re.compile(r"^/v\d+\.\d+(?=/|$)")


# What a fault spec (POST /_sandbox/faults) may say; ``as_dict`` reports the same keys back.
SPEC_KEYS = (
    "kind",
    "platform",
    "method",
    "path",
    "account",
    "times",
    "probability",
    "status",
    "seconds",
    "code",
    "reset_in",
)


class FaultSpecError(ValueError):
    pass


@dataclass(slots=True)
class Fault:
    id: int
    kind: str
    platform: str | None = None  # "x" or "facebook"
    method: str | None = None
    path: str | None = None
    account: str | None = None
    times: int | None = None  # fire this many more times, then stay inactive
    probability: float | None = None
    status: int = 503  # kind "error"
    seconds: float = 0.0  # kind "latency": added delay; kind "hang": longest hang (default 300)
    code: int | None = None  # kind "rate_limit" on Facebook: 4, 17, 32 (default), 613 or 80001
    # kind "rate_limit": seconds until the spent window resets (X's x-rate-limit-reset; Graph's
    # estimated_time_to_regain_access, in whole minutes, at least 1). None: the platform's real window.
    reset_in: float | None = None
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, platform: str, method: str, path: str, accounts: tuple[str, ...]) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.platform is not None and self.platform != platform:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path is not None and not (
            fnmatchcase(path, self.path) or fnmatchcase(_GRAPH_VERSION.sub("", path) or "/", self.path)
        ):
            return False
        return self.account is None or self.account in accounts

    def fire(self) -> bool:
        if self.probability is not None and self.rng.random() >= self.probability:
            return False
        if self.times is not None:
            self.times -= 1
        self.fired += 1
        return True

    def as_dict(self) -> dict[str, Any]:
        keys = ("id", *SPEC_KEYS, "fired")
        return {k: getattr(self, k) for k in keys}


class Faults:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.active: list[Fault] = []
        self._next_id = 1

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = parse_spec(spec, self._next_id)
        fault.rng = random.Random(f"{self.seed}:fault:{fault.id}")
        self._next_id += 1
        self.active.append(fault)
        return fault

    def clear(self) -> None:
        self.active.clear()
        self._next_id = 1

    def remove(self, fault_id: int) -> bool:
        before = len(self.active)
        self.active = [f for f in self.active if f.id != fault_id]
        return len(self.active) != before

    def triggered(self, platform: str, method: str, path: str, accounts: tuple[str, ...]) -> list[Fault]:
        """The faults that fire for this request (latency ones first), counting them as fired."""
        fired = [f for f in self.active if f.matches(platform, method, path, accounts) and f.fire()]
        return sorted(fired, key=lambda f: f.kind != "latency")


def parse_spec(spec: dict[str, Any], fault_id: int) -> Fault:
    """A ``Fault`` from its JSON spec; ``FaultSpecError`` with one line saying what is wrong."""
    if not isinstance(spec, dict):
        raise FaultSpecError("a fault spec is a JSON object")
    unknown = set(spec) - set(SPEC_KEYS)
    if unknown:
        raise FaultSpecError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
    if spec.get("platform") not in (None, "x", "facebook"):
        raise FaultSpecError("platform must be x or facebook")
    probability = spec.get("probability")
    if probability is not None and not (isinstance(probability, int | float) and 0 <= probability <= 1):
        raise FaultSpecError("probability must be a number from 0 to 1")
    times = spec.get("times")
    if times is not None and not (isinstance(times, int) and times >= 1):
        raise FaultSpecError("times must be a positive integer")
    status = spec.get("status", 503)
    if kind == "error" and status not in (500, 502, 503, 504):
        raise FaultSpecError("status must be 500, 502, 503 or 504")
    seconds = spec.get("seconds", 300.0 if kind == "hang" else 0.0)
    if not isinstance(seconds, int | float) or seconds < 0:
        raise FaultSpecError("seconds must be a non-negative number")
    reset_in = spec.get("reset_in")
    if reset_in is not None and not (isinstance(reset_in, int | float) and reset_in > 0):
        raise FaultSpecError("reset_in must be a positive number of seconds")
    method = spec.get("method")
    return Fault(
        id=fault_id,
        kind=kind,
        platform=spec.get("platform"),
        method=method.upper() if isinstance(method, str) else None,
        path=spec.get("path"),
        account=str(spec["account"]) if spec.get("account") is not None else None,
        times=times,
        probability=float(probability) if probability is not None else None,
        status=int(status),
        seconds=float(seconds),
        code=spec.get("code"),
        reset_in=float(reset_in) if reset_in is not None else None,
    )
