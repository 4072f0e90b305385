"""Apply ``campaign_specs/`` now, as a person asks for it (``campaigns run`` at start, the dashboard's
apply button): an invalid or emptied folder changes nothing, and the outcome reads as lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from campaigns.problems import Problem
from campaigns.store.sync import ScheduleConflict, sync_specs


@dataclass(frozen=True, slots=True)
class Applied:
    """How applying the specs went: ``applied``, ``unchanged`` or ``invalid`` (nothing applied)."""

    outcome: str
    problems: list[Problem]
    changes: int = 0

    @property
    def lines(self) -> list[str]:
        """What to print: every problem as ``path:line:col: level: message``, then the verdict."""
        shown = [str(problem) for problem in self.problems]
        if self.outcome == "invalid":
            errors = sum(1 for p in self.problems if p.is_error)
            shown.append(
                f"specs not applied ({errors} error{'s' if errors != 1 else ''}): "
                "the last valid schedule stays in force; fix the file(s) and they are applied within seconds"
            )
        elif self.outcome == "conflict":
            shown.append("specs not applied: the schedule kept changing; the beat tries again within seconds")
        else:
            shown.append(f"specs applied: {self.changes} post change{'s' if self.changes != 1 else ''}")
        return shown


def apply_specs_once(*, engine: Engine, specs_dir: Path, now: datetime) -> Applied:
    """Apply ``specs_dir`` now. An invalid spec changes nothing. Raises FileNotFoundError if it is missing."""
    try:
        result = sync_specs(engine=engine, specs_dir=specs_dir, now=now, force=True)
    except ScheduleConflict:
        return Applied("conflict", [])
    changes = len(result.diff.posts) if result.diff is not None else 0
    return Applied(result.outcome, list(result.problems), changes)
