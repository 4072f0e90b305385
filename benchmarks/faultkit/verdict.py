"""The end of a run: every post's final state checked against the sandbox's ground truth, and the
figures (lateness outside fault windows, recovery after each fault kind, memory slopes)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

FINAL = ("published", "failed", "missed", "cancelled")
AFTER_FAULT = 10.0  # seconds after a fault's end still counted as its window for lateness


@dataclass
class Window:
    kind: str
    start: float  # epoch seconds, the harness's (the machine's) clock
    end: float


@dataclass
class Verdict:
    posts: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    lost: list[str] = field(default_factory=list)  # post ids (or sandbox ids) not accounted for
    unexplained: list[str] = field(default_factory=list)  # final without a reason, or not final
    unconfirmed: int = 0
    early: int = 0  # published over 1 s before their time (the hosts' clocks stepped forward)
    lateness: list[tuple[float, float]] = field(default_factory=list)  # (due, seconds late)
    recovery: dict[str, list[float]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)

    def late_between(self, start: float, end: float) -> list[float]:
        return [late for due, late in self.lateness if start <= due <= end]

    @property
    def ok(self) -> bool:
        return not (self.duplicates or self.lost or self.unexplained or self.unconfirmed or self.early)


def db_posts(engine: Engine) -> list[dict[str, object]]:
    query = text(
        "SELECT id, status, status_reason, text, remote_ids, scheduled_at, next_attempt_at, last_error FROM posts"
    )
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]


def judge(engine: Engine, truth: list[dict[str, object]], windows: list[Window]) -> Verdict:
    """``truth``: the sandbox's ``/_sandbox/posts`` (its created_at on the machine's clock: the
    harness leaves the sandbox's clock alone)."""
    verdict = Verdict()
    rows = db_posts(engine)
    verdict.posts = len(rows)
    by_id = {str(t["id"]): t for t in truth}
    copies = Counter((t["account_id"], t["text"]) for t in truth)
    verdict.duplicates = sum(n - 1 for n in copies.values())
    claimed: set[str] = set()
    published_at: list[tuple[datetime, datetime]] = []
    for row in rows:
        status = str(row["status"])
        verdict.statuses[status] += 1
        if status == "unconfirmed":
            verdict.unconfirmed += 1
        if status not in FINAL:
            why = f"next try {row['next_attempt_at']:%H:%M:%S}" if row["next_attempt_at"] else ""
            error = str(row["last_error"] or "")[:80]
            verdict.unexplained.append(f"{row['id']}: still {status} {why} {error}".rstrip())
            continue
        if status != "published":
            reason = str(row["status_reason"] or "")
            verdict.reasons[f"{status}: {reason[:70]}"] += 1
            if not reason:
                verdict.unexplained.append(f"{row['id']}: {status} without a reason")
            continue
        remote = list(row["remote_ids"] or [])  # type: ignore[call-overload]
        found = by_id.get(remote[0]) if remote else None
        if found is None or found["text"] != row["text"]:
            verdict.lost.append(f"{row['id']}: published, but not on the platform as recorded")
            continue
        claimed.add(remote[0])
        created = datetime.fromisoformat(str(found["created_at"]).replace("Z", "+00:00"))
        published_at.append((row["scheduled_at"], created))  # type: ignore[arg-type]
    verdict.lost += [f"sandbox {i}: on the platform, not recorded as published" for i in set(by_id) - claimed]
    inside = [(w.start, w.end + AFTER_FAULT) for w in windows]
    for due, created in published_at:
        late = (created - due).total_seconds()
        if late < -1:
            verdict.early += 1
        elif not any(a <= due.timestamp() <= b or a <= created.timestamp() <= b for a, b in inside):
            verdict.lateness.append((due.timestamp(), late))
    for window in windows:
        backlog = [c for d, c in published_at if window.start - 5 <= d.timestamp() <= window.end]
        if backlog:
            done = max(c.timestamp() for c in backlog)
            verdict.recovery.setdefault(window.kind, []).append(max(0.0, done - window.end))
    return verdict


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def slope_mb_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per hour."""
    if len(samples) < 3:
        return float("nan")
    xs, ys = zip(*samples, strict=True)
    return statistics.linear_regression(xs, ys).slope * 3600


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (a worker's pool), MB; 0 if gone."""
    total = 0
    pids = [pid] + [int(p) for p in _children(pid)]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
