"""From YAML to the database: sync_specs / apply_specs on real spec files, on both databases."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.store import sync
from campaigns.store.diff import Kind
from campaigns.store.models import Campaign, Post
from campaigns.store.states import PostStatus, transition
from campaigns.store.sync import ScheduleConflict, apply_diff, apply_specs, compute_diff, sync_specs
from tests.support.db_fixtures import NOW, pause_campaign, status_of
from tests.support.spec_files import BUNDLED, ONE, TEST_WEEK, THREE, TWO


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "campaign_specs"
    folder.mkdir()
    (folder / "test-week.yaml").write_text(TEST_WEEK)
    return folder


def write(specs: Path, text: str, name: str = "test-week.yaml") -> None:
    (specs / name).write_text(text)


def posts(engine: Engine) -> dict[str, Post]:
    with Session(engine) as session:
        return {p.id: p for p in session.exec(select(Post)).all()}


def sync_now(engine: Engine, specs: Path, now: datetime = NOW, **kwargs: object) -> sync.SyncResult:
    return sync_specs(engine=engine, specs_dir=specs, now=now, **kwargs)  # type: ignore[arg-type]


def test_it_schedules_every_post_of_a_new_spec(engine: Engine, specs: Path):
    result = sync_now(engine, specs)

    assert result.outcome == "applied" and result.diff is not None
    assert [(c.kind, c.post_id) for c in result.diff.posts] == [
        (Kind.CREATED, ONE),
        (Kind.CREATED, TWO),
        (Kind.CREATED, THREE),
    ]
    stored = posts(engine)
    assert stored[ONE].scheduled_at == datetime(2027, 3, 17, 10, 0, tzinfo=UTC)
    assert stored[ONE].missed_after == datetime(2027, 3, 17, 16, 0, tzinfo=UTC)
    assert (stored[ONE].status, stored[ONE].text, stored[ONE].account) == (
        "scheduled",
        "Day one #TestWeek",
        "default",
    )
    with Session(engine) as session:
        campaign = session.get(Campaign, "test-week")
        assert campaign is not None
        assert (campaign.name, campaign.timezone, campaign.late_window_seconds) == (
            "Test Week",
            "UTC",
            6 * 3600,
        )
        assert campaign.content_hash == result.hashes["test-week"]


def test_it_does_nothing_when_no_spec_file_changed(
    engine: Engine, specs: Path, monkeypatch: pytest.MonkeyPatch
):
    sync_now(engine, specs)

    def must_not_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("specs were loaded although no file changed")

    monkeypatch.setattr(sync, "load_specs", must_not_load)
    assert sync_now(engine, specs, NOW + timedelta(seconds=5)).outcome == "unchanged"


def test_it_plans_again_after_a_while_even_when_no_file_changed(engine: Engine, specs: Path):
    sync_now(engine, specs)
    assert sync_now(engine, specs, NOW + sync.REPLAN_EVERY).outcome == "applied"


def test_it_moves_edits_and_cancels_posts_by_their_stable_ids(engine: Engine, specs: Path):
    sync_now(engine, specs)
    edited = TEST_WEEK.replace('"Day one #TestWeek"', '"Day one, reworded #TestWeek"').replace(
        '"12:00"', '"13:30"'
    )
    edited = edited.replace(
        '      - text: "Day two #TestWeek"\n        id: three\n', '      - "Something else"\n'
    )
    write(specs, edited)

    result = sync_now(engine, specs, NOW + timedelta(minutes=1))

    assert result.diff is not None
    by_id = {c.post_id: c for c in result.diff.posts}
    assert (by_id[ONE].kind, by_id[ONE].fields) == (Kind.EDITED, ("text",))
    assert (by_id[TWO].kind, by_id[TWO].new_at) == (Kind.MOVED, datetime(2027, 3, 17, 13, 30, tzinfo=UTC))
    assert by_id[THREE].kind == Kind.CANCELLED
    assert by_id["test-week:d2-1000:twitter"].kind == Kind.CREATED
    stored = posts(engine)
    assert stored[ONE].text == "Day one, reworded #TestWeek"
    assert stored[TWO].missed_after == datetime(2027, 3, 17, 19, 30, tzinfo=UTC)
    assert (stored[THREE].status, stored[THREE].status_reason) == ("cancelled", "removed from the spec")


def test_it_never_touches_a_published_post_and_says_so(engine: Engine, specs: Path):
    sync_now(engine, specs)
    publish(engine, ONE)
    write(specs, TEST_WEEK.replace('"Day one #TestWeek"', '"Day one, corrected #TestWeek"'))

    result = sync_now(engine, specs, NOW + timedelta(minutes=1))

    assert result.diff is not None
    [change] = result.diff.posts
    assert change.note == f"published post {ONE} changed in the spec; left as published"
    assert posts(engine)[ONE].text == "Day one #TestWeek"
    assert status_of(engine, ONE) == "published"


def publish(engine: Engine, post_id: str) -> None:
    with Session(engine) as session:
        for old, new in [("scheduled", "claimed"), ("claimed", "sending"), ("sending", "published")]:
            assert transition(
                session=session, post_id=post_id, expected=PostStatus(old), to=PostStatus(new), now=NOW
            )
        session.commit()


def test_it_applies_nothing_from_an_invalid_spec_and_keeps_the_last_valid_schedule(
    engine: Engine, specs: Path, caplog: pytest.LogCaptureFixture
):
    sync_now(engine, specs)
    write(specs, TEST_WEEK.replace('"Day one #TestWeek"', '"Day one #TestWeek"\n        time: "25:00"'))

    with caplog.at_level(logging.WARNING, logger="campaigns.store.sync"):
        result = sync_now(engine, specs, NOW + timedelta(minutes=1))

    assert result.outcome == "invalid"
    assert any("25:00" in p.message for p in result.problems)
    assert str(result.problems[0]).startswith(f"{specs / 'test-week.yaml'}:")
    assert "spec not applied" in caplog.text
    assert posts(engine)[ONE].scheduled_at == datetime(2027, 3, 17, 10, 0, tzinfo=UTC)
    # The same broken files are not loaded again on every tick.
    again = sync_now(engine, specs, NOW + timedelta(minutes=2), known_invalid=result.hashes)
    assert (again.outcome, again.problems) == ("invalid", [])


def test_it_cancels_the_posts_of_a_removed_spec_and_restores_them_when_it_returns(
    engine: Engine, specs: Path
):
    (specs / "other.yaml").write_text(TEST_WEEK.replace("Test Week", "Other Week"))
    sync_now(engine, specs)
    (specs / "test-week.yaml").unlink()

    removed = sync_now(engine, specs, NOW + timedelta(minutes=1))

    assert removed.diff is not None
    assert {c.kind for c in removed.diff.posts} == {Kind.CANCELLED}
    assert {p.status for p in posts(engine).values() if p.campaign_slug == "test-week"} == {"cancelled"}
    assert {p.status for p in posts(engine).values() if p.campaign_slug == "other"} == {"scheduled"}
    with Session(engine) as session:
        campaign = session.get(Campaign, "test-week")
        assert campaign is not None and campaign.removed_at == NOW + timedelta(minutes=1)

    write(specs, TEST_WEEK)
    back = sync_now(engine, specs, NOW + timedelta(minutes=2))

    assert back.diff is not None
    assert {c.kind for c in back.diff.posts} == {Kind.RESTORED}
    assert {p.status for p in posts(engine).values()} == {"scheduled"}


def test_it_refuses_to_empty_the_schedule_when_the_specs_folder_is_emptied(engine: Engine, specs: Path):
    sync_now(engine, specs)
    (specs / "test-week.yaml").unlink()  # or an unmounted volume: the same thing, seen from here

    result = sync_now(engine, specs, NOW + timedelta(minutes=1))

    assert result.outcome == "invalid"
    assert "no campaign specs found: refusing to cancel every campaign" in str(result.problems[0])
    assert {p.status for p in posts(engine).values()} == {"scheduled"}


def test_it_rolls_back_the_whole_apply_when_a_post_moves_meanwhile(engine: Engine, specs: Path):
    sync_now(engine, specs)
    write(specs, TEST_WEEK.replace("Day", "Jour"))
    from campaigns.spec import load_specs

    loaded = load_specs([specs], today=NOW.date())
    with Session(engine) as session:
        stale = compute_diff(session=session, specs=loaded.campaigns, now=NOW)
        session.commit()
    with Session(engine) as dispatcher:  # claims ONE after the diff was computed
        transition(
            session=dispatcher, post_id=TWO, expected=PostStatus.SCHEDULED, to=PostStatus.CLAIMED, now=NOW
        )
        dispatcher.commit()

    with Session(engine) as session, pytest.raises(ScheduleConflict, match=TWO):
        apply_diff(session=session, specs=loaded.campaigns, diff=stale, now=NOW)
    # Nothing of that apply survived; a fresh apply releases the claimed post with its new text.
    assert {p.text for p in posts(engine).values()} == {
        "Day one #TestWeek",
        "Day one again #TestWeek",
        "Day two #TestWeek",
    }
    fresh = apply_specs(engine=engine, specs=loaded.campaigns, now=NOW)
    assert {c.post_id: c.status for c in fresh.posts}[TWO] == PostStatus.CLAIMED
    assert status_of(engine, TWO) == "scheduled"
    assert posts(engine)[TWO].text == "Jour one again #TestWeek"


def test_it_starts_an_apply_that_lost_a_race_again_from_a_fresh_diff(
    engine: Engine, specs: Path, monkeypatch: pytest.MonkeyPatch
):
    sync_now(engine, specs)
    write(specs, TEST_WEEK.replace("Day", "Jour"))
    real = sync.apply_diff
    calls: list[int] = []

    def losing_once(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        real(**kwargs)  # writes, then loses: the rollback must undo them
        if len(calls) == 1:
            raise ScheduleConflict("post changed")

    monkeypatch.setattr(sync, "apply_diff", losing_once)
    result = sync_now(engine, specs, NOW + timedelta(minutes=1))

    assert (result.outcome, len(calls)) == ("applied", 2)
    assert posts(engine)[ONE].text == "Jour one #TestWeek"


def test_it_gives_up_when_the_schedule_keeps_changing(
    engine: Engine, specs: Path, monkeypatch: pytest.MonkeyPatch
):
    def always_losing(**kwargs):  # type: ignore[no-untyped-def]
        raise ScheduleConflict("post changed")

    monkeypatch.setattr(sync, "apply_diff", always_losing)
    with pytest.raises(ScheduleConflict, match="kept changing"):
        sync_now(engine, specs)
    assert posts(engine) == {}


def test_it_keeps_the_operator_pause_while_the_spec_sets_its_own(engine: Engine, specs: Path):
    sync_now(engine, specs)
    pause_campaign(engine, "test-week")
    write(specs, TEST_WEEK.replace("timezone: UTC", "timezone: UTC\npaused: true"))

    sync_now(engine, specs, NOW + timedelta(minutes=1))

    with Session(engine) as session:
        campaign = session.get(Campaign, "test-week")
        assert campaign is not None and (campaign.spec_paused, campaign.operator_paused) == (True, True)


@pytest.mark.parametrize("now", [NOW, datetime(2027, 4, 6, 14, 0, tzinfo=UTC)])
def test_it_schedules_the_bundled_campaigns_and_then_finds_nothing_left_to_change(
    engine: Engine, now: datetime
):
    from campaigns.spec import load_specs

    loaded = load_specs([BUNDLED], today=now.date())
    assert loaded.ok

    applied = apply_specs(engine=engine, specs=loaded.campaigns, now=now)

    stored = posts(engine)
    created = [c for c in applied.posts if c.kind == Kind.CREATED]
    assert len(stored) == len(created) > 0
    assert all(p.scheduled_at >= now - timedelta(days=1) for p in stored.values())
    with Session(engine) as session:
        again = compute_diff(session=session, specs=loaded.campaigns, now=now + timedelta(minutes=1))
    assert again.posts == [] and again.campaigns == []
