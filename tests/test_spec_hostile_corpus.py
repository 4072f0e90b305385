"""Every spec of the hostile corpus is refused (or warned about) with one problem, at its spot,
and the schedule in the database stays as the last valid spec made it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.store.models import Campaign, Post
from campaigns.store.sync import sync_specs
from tests.support.db_fixtures import NOW
from tests.support.hostile_specs import CORPUS, Hostile
from tests.support.spec_files import TEST_WEEK, load_folder


@pytest.mark.parametrize("hostile", CORPUS, ids=lambda h: h.name)
def test_it_gets_one_clear_problem_where_it_is(tmp_path: Path, hostile: Hostile):
    hostile.write(tmp_path / "spec.yaml")
    problems = load_folder(tmp_path).problems
    assert [(p.line, p.col, p.severity) for p in problems] == [(hostile.line, hostile.col, hostile.severity)]
    assert hostile.message in problems[0].message
    assert str(problems[0]).startswith(f"{tmp_path / 'spec.yaml'}:{hostile.line}:{hostile.col}: ")
    assert "\n" not in str(problems[0]) and "Traceback" not in str(problems[0])


def _schedule(engine: Engine) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    with Session(engine) as session:
        posts = sorted((p.id, p.status, p.text, str(p.scheduled_at)) for p in session.exec(select(Post)))
        campaigns = sorted((c.slug, c.content_hash) for c in session.exec(select(Campaign)))
    return posts, campaigns


@pytest.mark.parametrize("hostile", [h for h in CORPUS if h.severity == "error"], ids=lambda h: h.name)
def test_it_leaves_the_live_schedule_untouched(engine: Engine, tmp_path: Path, hostile: Hostile):
    specs = tmp_path / "campaign_specs"
    specs.mkdir()
    (specs / "test-week.yaml").write_text(TEST_WEEK)
    assert sync_specs(engine=engine, specs_dir=specs, now=NOW).outcome == "applied"
    before = _schedule(engine)

    hostile.write(specs / "test-week.yaml")
    result = sync_specs(engine=engine, specs_dir=specs, now=NOW, force=True)

    assert result.outcome == "invalid"
    assert _schedule(engine) == before
