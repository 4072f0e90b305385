"""Problems found in campaign specs, reported as one line each: ``path:line:col: severity: message``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class SpecError(Exception):
    """A campaign spec cannot be used. Carries every problem found, errors and warnings alike."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.is_error] or problems
        super().__init__(str(errors[0]) if errors else "invalid campaign spec")
