"""The spec-sync tick: applies changed specs, keeps the last valid schedule while a spec is broken,
and reports a broken spec's problems once (not every tick)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.store.db import session_scope
from campaigns.store.models import Post
from campaigns.store.spec_problems import current_spec_problems
from scheduler.specs import SpecWatcher
from tests.support.db_fixtures import NOW

VALID = """\
campaign: Families Day
every_year: May 15
timezone: UTC
time: "09:00"
channels: [twitter]
posts:
  - text: "Today is the International Day of Families. #FamiliesDay"
"""
BROKEN = VALID.replace('time: "09:00"', 'time: "25:00"')


def post_ids(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(Post.id)).all())


def test_it_applies_a_spec_once_and_then_does_nothing_until_it_changes(engine: Engine, tmp_path: Path):
    (tmp_path / "families.yaml").write_text(VALID)
    watcher = SpecWatcher()

    assert watcher.sync(engine=engine, specs_dir=tmp_path, now=NOW) == "applied"
    assert watcher.sync(engine=engine, specs_dir=tmp_path, now=NOW) == "unchanged"
    assert post_ids(engine) != []


def test_it_keeps_the_last_valid_schedule_and_reports_a_broken_spec_once(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    spec = tmp_path / "families.yaml"
    spec.write_text(VALID)
    watcher = SpecWatcher()
    watcher.sync(engine=engine, specs_dir=tmp_path, now=NOW)
    before = post_ids(engine)
    spec.write_text(BROKEN)
    caplog.set_level(logging.WARNING)

    outcomes = [watcher.sync(engine=engine, specs_dir=tmp_path, now=NOW) for _ in range(3)]

    assert outcomes == ["invalid"] * 3
    assert post_ids(engine) == before
    problems = [m for m in caplog.messages if "families.yaml:4:" in m]
    assert len(problems) == 1, caplog.messages


def recorded_problems(engine: Engine) -> list[str] | None:
    with session_scope(engine, read_only=True) as session:
        row = current_spec_problems(session=session)
    return None if row is None else row.problems


def test_it_reports_a_broken_spec_once_across_worker_processes_and_records_it_for_status(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    spec = tmp_path / "families.yaml"
    spec.write_text(VALID)
    SpecWatcher().sync(engine=engine, specs_dir=tmp_path, now=NOW)
    spec.write_text(BROKEN)
    workers = [SpecWatcher(), SpecWatcher()]  # each pool process has its own watcher
    caplog.set_level(logging.INFO)

    outcomes = [w.sync(engine=engine, specs_dir=tmp_path, now=NOW) for _ in range(2) for w in workers]

    assert outcomes == ["invalid"] * 4
    logged = [m for m in caplog.messages if "families.yaml:4:" in m]
    assert len(logged) == 1 and logged[0].startswith("spec not applied: "), caplog.messages
    recorded = recorded_problems(engine)
    assert recorded is not None and len(recorded) == 1 and recorded[0] in logged[0]


@pytest.mark.parametrize("fixed", [VALID, VALID.replace("09:00", "10:00")], ids=["restored", "edited"])
def test_it_clears_the_problems_and_says_so_once_the_specs_are_valid_again(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture, fixed: str
):
    spec = tmp_path / "families.yaml"
    spec.write_text(VALID)
    workers = [SpecWatcher(), SpecWatcher()]
    workers[0].sync(engine=engine, specs_dir=tmp_path, now=NOW)
    spec.write_text(BROKEN)
    for worker in workers:
        worker.sync(engine=engine, specs_dir=tmp_path, now=NOW)
    spec.write_text(fixed)
    caplog.set_level(logging.INFO)

    outcomes = [w.sync(engine=engine, specs_dir=tmp_path, now=NOW) for w in workers]

    assert outcomes == (["unchanged"] * 2 if fixed == VALID else ["applied", "unchanged"])
    assert recorded_problems(engine) is None
    assert len([m for m in caplog.messages if "valid again" in m]) == 1, caplog.messages
