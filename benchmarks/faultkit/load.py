"""The run's load: campaign spec files with posts due every minute, and the mid-run edit.

Each campaign publishes through its own sandbox account (``sandbox-00N`` on X and Facebook), so
that X's 100 writes per 15 minutes per user is never the limit; every text carries the run's
token, so that no post collides with an earlier run's (the platforms refuse a repeated text).
Posts are written for every minute from ``first`` to ``last`` (UTC, day 1 = ``first``'s date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

PER_MINUTE = 2  # items per campaign and minute; each goes to X and to Facebook


@dataclass(frozen=True)
class Load:
    specs: Path
    campaigns: int
    token: str
    first: datetime  # the first post's minute (aware, UTC)
    last: datetime

    def minutes(self) -> list[datetime]:
        count = int((self.last - self.first).total_seconds() // 60) + 1
        return [self.first + timedelta(minutes=n) for n in range(count)]

    def doc(self, n: int, *, edited: bool = False, after: datetime | None = None) -> dict[str, object]:
        """Campaign ``n``'s spec; ``edited``: from ``after`` on, every text changed, one post
        dropped per minute and one added (the mid-run edit)."""
        days: dict[int, list[dict[str, str]]] = {}
        for minute in self.minutes():
            late = edited and after is not None and minute >= after
            items = [f"m{minute:%H%M}-{k}" for k in range(PER_MINUTE)]
            if late:
                items = [*items[1:], f"m{minute:%H%M}-new"]
            day = (minute.date() - self.first.date()).days + 1
            for item in items:
                text = f"{'edited ' if late else ''}Faults {n} {item} {self.token} #Faults{n}"
                days.setdefault(day, []).append({"id": item, "time": f"{minute:%H:%M}", "text": text})
        return {
            "campaign": f"Faults {n}",
            "timezone": "UTC",
            "start": self.first.date().isoformat(),
            "time": "00:00",
            "channels": ["twitter", "facebook"],
            "hashtags": [f"#Faults{n}"],
            "accounts": {"twitter": f"sandbox-{n:03d}", "facebook": f"sandbox-{n:03d}"},
            "days": [{"posts": days[d]} for d in sorted(days)],
        }

    def write(self, *, edited_after: datetime | None = None) -> None:
        self.specs.mkdir(parents=True, exist_ok=True)
        for n in range(1, self.campaigns + 1):
            edited = edited_after is not None and n == 1  # the edit: campaign 1 only
            doc = self.doc(n, edited=edited, after=edited_after)
            path = self.specs / f"faults-{n}.yaml"
            staging = path.with_suffix(".tmp")  # the sync never sees half a file
            staging.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
            staging.replace(path)
