"""A post keeps its identity when the spec is edited: insert, delete, reorder and re-time posts of a live
campaign, and nothing published is sent again, nothing unpublished is lost.

Real spec files applied to both databases (``sync_specs``), posts published by marking their rows
as a worker would.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from campaigns.store.diff import Kind
from campaigns.store.models import Post, PostStatus
from campaigns.store.sync import sync_specs
from tests.support.db_fixtures import NOW

S = PostStatus
# NOW is 2027-03-16 09:00 UTC: day 1's 08:00 post is out, the rest is to come.
HEAD = """\
campaign: Test Week
timezone: UTC
start: 2027-03-16
time: "10:00"
channels: [twitter]
days:
"""
EARLY = '      - text: "Early bird #TestWeek https://example.org/day1"\n        time: "08:00"\n'
MORNING = '      - "Morning #TestWeek https://example.org/day1"\n'
SECOND = '      - "Second at ten #TestWeek https://example.org/day1"\n'
NOON = '      - text: "Noon #TestWeek https://example.org/day1"\n        time: "12:00"\n'
DAY2 = '  - posts:\n      - "Day two #TestWeek https://example.org/day2"\n'


def spec(*day1: str, day2: str = DAY2) -> str:
    return HEAD + "  - posts:\n" + "".join(day1) + day2


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "campaign_specs"
    folder.mkdir()
    return folder


def apply(engine: Engine, specs: Path, text: str, now=NOW) -> list[tuple[Kind, str]]:  # type: ignore[no-untyped-def]
    (specs / "test-week.yaml").write_text(text)
    result = sync_specs(engine=engine, specs_dir=specs, now=now, force=True)
    assert result.outcome == "applied", result.problems
    assert result.diff is not None
    return [(c.kind, c.post_id) for c in result.diff.posts]


def rows(engine: Engine) -> list[Post]:
    with Session(engine) as session:
        return list(session.exec(select(Post)).all())


def publish_due(engine: Engine) -> None:
    """What the workers do by NOW: every post due by then goes out."""
    with Session(engine) as session:
        session.exec(
            update(Post)
            .where(Post.scheduled_at <= NOW, Post.status == S.SCHEDULED.value)  # type: ignore[arg-type]
            .values(status=S.PUBLISHED.value, remote_ids=["1"], published_at=NOW)
        )
        session.commit()


def assert_nothing_resent_nothing_lost(engine: Engine, texts: list[str]) -> None:
    live = [r for r in rows(engine) if r.status != S.CANCELLED]
    by_text = Counter(r.text for r in live)
    published = {r.text for r in live if r.status == S.PUBLISHED}
    pending = {r.text for r in live if r.status == S.SCHEDULED}
    assert published.isdisjoint(pending), "a published text is scheduled again"
    assert all(n == 1 for n in by_text.values()), by_text
    assert set(texts) <= published | pending, "a planned post has no row"


def texts_of(*items: str) -> list[str]:
    return [
        line.split('"')[1]
        for item in items
        for line in item.splitlines()
        if '"' in line and "time:" not in line
    ]


def test_inserting_a_post_above_others_is_one_creation(engine: Engine, specs: Path):
    apply(engine, specs, spec(EARLY, MORNING, NOON))
    publish_due(engine)
    before = {r.id: (r.text, r.status) for r in rows(engine)}

    changes = apply(engine, specs, spec(SECOND, EARLY, MORNING, NOON))

    assert [kind for kind, _ in changes] == [Kind.CREATED]
    after = {r.id: (r.text, r.status) for r in rows(engine)}
    assert {k: v for k, v in after.items() if k in before} == before  # nobody else changed
    assert_nothing_resent_nothing_lost(engine, texts_of(SECOND, EARLY, MORNING, NOON, DAY2))


def test_inserting_a_post_at_the_same_time_as_a_published_one_never_resends_it(engine: Engine, specs: Path):
    early_too = '      - text: "Also early #TestWeek"\n        time: "08:00"\n'
    apply(engine, specs, spec(EARLY, MORNING))
    publish_due(engine)

    changes = apply(engine, specs, spec(early_too, EARLY, MORNING))

    # The newcomer takes the 08:00 slot's first id in file order; EARLY keeps its row, published.
    assert [kind for kind, _ in changes] == [Kind.CREATED]
    assert_nothing_resent_nothing_lost(engine, texts_of(early_too, EARLY, MORNING, DAY2))


def test_deleting_a_post_cancels_it_and_touches_nothing_else(engine: Engine, specs: Path):
    apply(engine, specs, spec(EARLY, MORNING, SECOND, NOON))
    publish_due(engine)

    changes = apply(engine, specs, spec(EARLY, SECOND, NOON))

    assert [kind for kind, _ in changes] == [Kind.CANCELLED]
    assert_nothing_resent_nothing_lost(engine, texts_of(EARLY, SECOND, NOON, DAY2))


def test_reordering_posts_changes_nothing(engine: Engine, specs: Path):
    apply(engine, specs, spec(EARLY, MORNING, SECOND, NOON))
    publish_due(engine)

    assert apply(engine, specs, spec(NOON, SECOND, MORNING, EARLY)) == []
    assert_nothing_resent_nothing_lost(engine, texts_of(EARLY, MORNING, SECOND, NOON, DAY2))


def test_changing_only_a_posts_time_moves_it_under_its_id(engine: Engine, specs: Path):
    apply(engine, specs, spec(EARLY, MORNING, NOON))
    ids = {r.text: r.id for r in rows(engine)}

    changes = apply(engine, specs, spec(EARLY, MORNING, NOON.replace("12:00", "13:30")))

    noon = texts_of(NOON)[0]
    assert changes == [(Kind.MOVED, ids[noon])]
    [row] = [r for r in rows(engine) if r.text == noon]
    assert (row.id, row.scheduled_at) == (ids[noon], NOW + timedelta(hours=4, minutes=30))
    # ...and it stays put at the next apply: the move is not reported again.
    assert apply(engine, specs, spec(EARLY, MORNING, NOON.replace("12:00", "13:30"))) == []


def test_a_published_post_whose_time_changed_is_left_alone(engine: Engine, specs: Path):
    apply(engine, specs, spec(EARLY, MORNING))
    publish_due(engine)

    changes = apply(engine, specs, spec(EARLY.replace("08:00", "08:30"), MORNING))

    assert [kind for kind, _ in changes] == [Kind.LEFT_ALONE]
    assert_nothing_resent_nothing_lost(engine, texts_of(EARLY, MORNING, DAY2))


def test_rows_stored_under_the_old_positional_ids_are_adopted(engine: Engine, specs: Path):
    """An upgrade: the schedule holds ``d1p1``-style ids; the new ids differ, the rows stay."""
    apply(engine, specs, spec(EARLY, MORNING, NOON))
    publish_due(engine)
    old_ids = {"08:00": "d1p1", "10:00": "d1p2", "12:00": "d1p3"}
    with Session(engine) as session:
        for row in session.exec(select(Post)).all():
            if row.day == 1:
                old = f"test-week:{old_ids[f'{row.scheduled_at:%H:%M}']}:twitter"
                session.exec(update(Post).where(Post.id == row.id).values(id=old))  # type: ignore[arg-type]
        session.commit()
    before = {r.id: (r.text, r.status) for r in rows(engine)}

    assert apply(engine, specs, spec(EARLY, MORNING, NOON)) == []

    assert {r.id: (r.text, r.status) for r in rows(engine)} == before
    assert_nothing_resent_nothing_lost(engine, texts_of(EARLY, MORNING, NOON, DAY2))


def test_ids_come_from_the_day_and_the_local_time_with_a_suffix_only_for_a_shared_time(
    engine: Engine, specs: Path
):
    named = '      - text: "Named #TestWeek"\n        id: named\n'  # an id of its own takes no slot
    apply(engine, specs, spec(EARLY, MORNING, named, SECOND, NOON))

    assert sorted(r.id for r in rows(engine)) == [
        "test-week:d1-0800:twitter",
        "test-week:d1-1000-2:twitter",
        "test-week:d1-1000:twitter",
        "test-week:d1-1200:twitter",
        "test-week:d2-1000:twitter",
        "test-week:named:twitter",
    ]
