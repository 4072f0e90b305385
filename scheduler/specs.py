"""Keeping the schedule in line with ``campaign_specs/``: the store's sync, remembering a bad version.

``campaigns.store.sync.sync_specs`` is a cheap no-op when no file changed. When a file is invalid
it logs each problem as ``path:line:col: ...`` once and applies nothing (the last valid schedule
stays in force); this remembers the invalid files' hashes so that the same problems are not
reported again every tick, only once the files change.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from campaigns.store.sync import sync_specs


class SpecWatcher:
    def __init__(self) -> None:
        self._known_invalid: dict[str, str] | None = None
        self._lock = threading.Lock()

    def sync(self, *, engine: Engine, specs_dir: Path, now: datetime) -> str:
        """Sync once; returns ``unchanged``, ``invalid`` or ``applied``."""
        with self._lock:
            result = sync_specs(
                engine=engine, specs_dir=specs_dir, now=now, known_invalid=self._known_invalid
            )
            self._known_invalid = result.hashes if result.outcome == "invalid" else None
            return result.outcome
