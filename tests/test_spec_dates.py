"""A campaign may start in any year people plan for; a year that cannot be meant is refused."""

from __future__ import annotations

import pytest

from tests.support.spec_files import MINIMAL, TODAY, only, problems_of


@pytest.mark.parametrize("start", ["2000-01-01", "2020-06-01", "2029-04-05", "2199-12-31"])
def test_it_accepts_a_start_in_a_past_or_far_year(tmp_path, start):
    # Regression: a start more than a year from today (TODAY is in 2026) made loading raise IndexError.
    assert TODAY.year == 2026
    assert problems_of(tmp_path, MINIMAL.replace("2027-04-05", start)) == []


@pytest.mark.parametrize("start", ["1999-12-31", "2200-01-01", "9999-12-31", "0001-01-01"])
def test_it_refuses_a_year_that_is_surely_a_typo(tmp_path, start):
    problem = only(problems_of(tmp_path, MINIMAL.replace("2027-04-05", start)))
    assert (problem.line, problem.col) == (3, 8)
    assert problem.message == f"the date '{start}' is not between 2000 and 2199: is the year a typo?"
