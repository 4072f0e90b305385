"""Helpers for spec tests: write specs into a temporary specs folder and load them."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from campaigns.problems import Problem
from campaigns.spec import LoadResult, load_specs

TODAY = date(2026, 11, 22)
BUNDLED = Path(__file__).resolve().parents[2] / "campaign_specs"

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

# A one-channel campaign of two days and three posts: the schedule and CLI tests' subject.
TEST_WEEK = """\
campaign: Test Week
timezone: UTC
start: 2027-03-17
time: "10:00"
channels: [twitter]
days:
  - posts:
      - text: "Day one #TestWeek"
        id: one
      - text: "Day one again #TestWeek"
        id: two
        time: "12:00"
  - posts:
      - text: "Day two #TestWeek"
        id: three
"""
# Its posts' ids.
ONE, TWO, THREE = (f"test-week:{n}:twitter" for n in ("one", "two", "three"))


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
