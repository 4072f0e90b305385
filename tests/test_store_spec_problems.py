"""The spec problems row: recorded once per version of the files (one winner among concurrent
processes), cleared once, and read back for ``campaigns status``."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.store.db import session_scope
from campaigns.store.spec_problems import clear_spec_problems, current_spec_problems, record_spec_problems
from tests.support.db_fixtures import NOW, run_concurrently

BROKEN = {"families": "a" * 64}
PROBLEMS = ["campaign_specs/families.yaml:4:7: error: not a time of day: 25:00"]


def test_it_records_a_version_once_then_again_when_the_files_change(session: Session):
    assert record_spec_problems(session=session, hashes=BROKEN, problems=PROBLEMS, now=NOW) is True
    assert record_spec_problems(session=session, hashes=BROKEN, problems=PROBLEMS, now=NOW) is False
    later = NOW + timedelta(minutes=5)
    other = ["campaign_specs/families.yaml:2:1: error: unknown key 'evry_year'"]

    assert record_spec_problems(session=session, hashes={"families": "b" * 64}, problems=other, now=later)

    row = current_spec_problems(session=session)
    assert row is not None and row.problems == other and row.since == later


def test_it_clears_the_problems_once_and_then_has_none(session: Session):
    assert current_spec_problems(session=session) is None
    assert clear_spec_problems(session=session, now=NOW) is False  # no row yet
    record_spec_problems(session=session, hashes=BROKEN, problems=PROBLEMS, now=NOW)
    row = current_spec_problems(session=session)
    assert row is not None and row.problems == PROBLEMS and row.since == NOW

    assert clear_spec_problems(session=session, now=NOW) is True
    assert clear_spec_problems(session=session, now=NOW) is False
    assert current_spec_problems(session=session) is None
    assert record_spec_problems(session=session, hashes=BROKEN, problems=PROBLEMS, now=NOW) is True


def test_exactly_one_of_many_concurrent_processes_records_the_same_version(engine: Engine):
    def record(_: int, barrier: threading.Barrier) -> bool:
        with session_scope(engine) as session:
            barrier.wait()
            return record_spec_problems(session=session, hashes=BROKEN, problems=PROBLEMS, now=NOW)

    assert sorted(run_concurrently(8, record)) == [False] * 7 + [True]
