"""Helpers for spec tests: write specs into a temporary specs folder and load them."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from campaigns.problems import Problem
from campaigns.spec import LoadResult, load_specs

TODAY = date(2026, 11, 22)
BUNDLED = Path(__file__).resolve().parent.parent / "campaign_specs"

MINIMAL = """\
campaign: Test Campaign
timezone: America/New_York
start: 2027-04-05
time: "09:00"
channels: [twitter, facebook]
hashtags: ["#SSWWeek"]
link: https://example.org/x
days:
  - theme: A theme
    posts:
      - "Hello #SSWWeek {link}"
"""


def write_spec(folder: Path, text: str, name: str = "spec.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_folder(folder: Path) -> LoadResult:
    return load_specs([folder], today=TODAY)


def problems_of(folder: Path, text: str) -> list[Problem]:
    write_spec(folder, text)
    return load_folder(folder).problems


def only(problems: list[Problem], severity: str = "error") -> Problem:
    chosen = [p for p in problems if p.severity == severity]
    assert len(chosen) == 1, "\n".join(map(str, problems))
    return chosen[0]
