"""The schedule commands, driven through the real CLI: diff, apply, pause, resume, status, retry, db."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.cli import cli
from campaigns.commands import database
from campaigns.settings import get_settings
from campaigns.store.dispatch import claim_due_posts
from campaigns.store.models import Campaign, Post
from campaigns.store.states import PostStatus, transition
from campaigns.store.sync import sync_specs
from tests.support.db_fixtures import NOW, status_of
from tests.support.spec_files import ONE, TEST_WEEK, THREE, TWO

LATER = NOW + timedelta(days=1, hours=2)  # 2027-03-17 11:00 UTC: ONE (10:00) is due


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    folder = tmp_path / "campaign_specs"
    folder.mkdir()
    (folder / "test-week.yaml").write_text(TEST_WEEK)
    return folder


@pytest.fixture
def run(db_url: str, specs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunCli]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SPECS_DIR", str(specs))
    get_settings.cache_clear()
    runner = RunCli(monkeypatch)
    yield runner
    get_settings.cache_clear()


class RunCli:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.at(NOW)

    def at(self, now: object) -> RunCli:
        self.monkeypatch.setattr(database, "utcnow", lambda: now)
        return self

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) is ok, result.output
        return result


def has_row(output: str, *cells: str) -> bool:
    """True if one line of a table holds these cells, in this order."""
    for line in output.splitlines():
        values = [v.strip() for v in line.strip("│ ").split("│")]
        if all(cell in values for cell in cells) and [v for v in values if v in cells] == list(cells):
            return True
    return False


def mark_published(engine: Engine, post_id: str) -> None:
    """Take a scheduled post through the state machine to published, as a worker would."""
    with Session(engine) as session:
        for old, new in [("scheduled", "claimed"), ("claimed", "sending"), ("sending", "published")]:
            transition(
                session=session, post_id=post_id, expected=PostStatus(old), to=PostStatus(new), now=NOW
            )
        session.commit()


def test_it_shows_the_changes_by_post_id_without_making_them(run: RunCli, engine: Engine):
    result = run("diff")

    assert "campaign test-week: added" in result.output
    for post_id in (ONE, TWO, THREE):
        assert has_row(result.output, "created", post_id, "twitter")
    assert "Wed 17 Mar 2027 10:00 UTC" in result.output
    assert "3 created" in result.output
    with Session(engine) as session:
        assert session.exec(select(Post)).all() == []


def test_it_applies_the_specs_and_then_has_nothing_left_to_change(run: RunCli, engine: Engine):
    assert "Applied." in run("apply").output
    with Session(engine) as session:
        assert {p.id for p in session.exec(select(Post))} == {ONE, TWO, THREE}

    again = run("diff")
    assert "No post changes: the schedule already follows the specs." in again.output
    assert "Nothing to apply." in run("apply").output


def test_it_reports_moves_edits_cancellations_and_published_posts_left_alone(
    run: RunCli, engine: Engine, specs: Path
):
    run("apply")
    mark_published(engine, THREE)
    edited = (
        TEST_WEEK.replace('"12:00"', '"13:30"')
        .replace("Day one #", "Day one, reworded #")
        .replace("Day two", "Day 2")
    )
    (specs / "test-week.yaml").write_text(edited)

    output = run("diff").output

    assert has_row(output, "moved", TWO, "twitter", "Wed 17 Mar 2027 12:00 UTC -> Wed 17 Mar 2027 13:30 UTC")
    assert has_row(output, "edited", ONE, "twitter", "Wed 17 Mar 2027 10:00 UTC", "changed: text")
    assert has_row(output, "left alone", THREE)
    assert f"published post {THREE} changed in the spec; left as published" in output


def test_it_applies_nothing_from_an_invalid_spec_and_prints_where_the_problem_is(
    run: RunCli, engine: Engine, specs: Path
):
    run("apply")
    (specs / "test-week.yaml").write_text(TEST_WEEK.replace('"12:00"', '"12:75"'))

    result = run("apply", ok=False)

    assert f"{specs / 'test-week.yaml'}:12:" in result.output
    assert "error(s)" in result.output and "nothing applied" in result.output
    assert "Traceback" not in result.output
    with Session(engine) as session:
        post = session.get(Post, TWO)
        assert post is not None and post.scheduled_at.hour == 12


def test_it_cancels_every_campaign_from_an_empty_folder_only_when_told_to(
    run: RunCli, engine: Engine, specs: Path
):
    run("apply")
    (specs / "test-week.yaml").unlink()

    refused = run("apply", ok=False)
    assert "no campaign specs found: refusing to cancel every campaign" in refused.output
    assert "--allow-empty" in refused.output
    assert status_of(engine, ONE) == "scheduled"

    run("apply", "--allow-empty")
    assert status_of(engine, ONE) == "cancelled"


def test_it_shows_a_removed_campaigns_history_by_name_but_pauses_only_current_ones(
    run: RunCli, engine: Engine, specs: Path
):
    run("apply")
    mark_published(engine, ONE)
    (specs / "test-week.yaml").unlink()
    run("apply", "--allow-empty")

    status = run("status", "test-week").output
    refused = run("pause", "test-week", ok=False).output

    assert "removed from the specs on" in status and has_row(status, ONE, "twitter", "published")
    assert "Upcoming: none." in status  # the rest were cancelled with the spec
    assert "campaign 'test-week' was removed from the specs on" in refused
    assert "test-week" not in run("status").output.split("Upcoming")[0]  # not among current campaigns


def test_it_pauses_and_resumes_a_campaign_and_the_dispatcher_obeys(run: RunCli, engine: Engine):
    run("apply")

    assert "Paused test-week." in run("pause", "test-week").output
    with Session(engine) as session:
        assert claim_due_posts(session=session, now=LATER, worker="d") == []
        session.rollback()

    assert "Resumed test-week." in run("resume", "test-week").output
    with Session(engine) as session:
        assert claim_due_posts(session=session, now=LATER, worker="d") == [ONE]
        session.commit()


def test_it_pauses_and_resumes_every_campaign(run: RunCli, engine: Engine):
    run("apply")

    run("pause", "--all")
    with Session(engine) as session:
        assert [c.operator_paused for c in session.exec(select(Campaign))] == [True]

    run("resume", "--all")
    with Session(engine) as session:
        assert [c.operator_paused for c in session.exec(select(Campaign))] == [False]


def test_it_says_a_campaign_stays_paused_while_its_spec_says_so(run: RunCli, specs: Path):
    (specs / "test-week.yaml").write_text(TEST_WEEK.replace("timezone: UTC", "timezone: UTC\npaused: true"))
    run("apply")
    run("pause", "test-week")

    output = run("resume", "test-week").output

    assert "test-week is still paused by its spec: remove `paused: true` there" in output
    assert "paused by its spec" in run("status").output


def test_it_needs_a_campaign_or_all_to_pause(run: RunCli):
    result = CliRunner().invoke(cli, ["pause"])
    assert result.exit_code == 2 and "name one CAMPAIGN, or give --all" in result.output
    assert "no campaign 'nope' in the schedule" in run("pause", "nope", ok=False).output
    assert "there is no campaign in the schedule to pause" in run("pause", "--all", ok=False).output
    assert "no such file or folder: nowhere" in run("apply", "--specs", "nowhere", ok=False).output


def test_it_shows_upcoming_published_failed_and_missed_posts_with_links_and_reasons(
    run: RunCli, engine: Engine
):
    run("apply")
    with Session(engine) as session:
        for old, new in [("scheduled", "claimed"), ("claimed", "sending")]:
            transition(session=session, post_id=ONE, expected=PostStatus(old), to=PostStatus(new), now=NOW)
            transition(session=session, post_id=TWO, expected=PostStatus(old), to=PostStatus(new), now=NOW)
        transition(
            session=session,
            post_id=ONE,
            expected=PostStatus.SENDING,
            to=PostStatus.PUBLISHED,
            now=NOW,
            values={"remote_url": "https://x.com/sandbox/status/101"},
        )
        transition(
            session=session,
            post_id=TWO,
            expected=PostStatus.SENDING,
            to=PostStatus.FAILED,
            now=NOW,
            values={"status_reason": "X refused it: text too long (290 > 280)"},
        )
        session.commit()

    output = run("status", "test-week").output

    assert "Upcoming (1)" in output and THREE in output and "Day two #TestWeek" in output
    assert "Published (1)" in output and "https://x.com/sandbox/status/101" in output
    assert "Failed (1)" in output and "text too long (290 > 280)" in output
    assert "Missed: none." in output
    assert "`campaigns retry POST_ID`" in output


def test_it_shows_first_the_spec_changes_that_were_not_applied_and_why(
    run: RunCli, engine: Engine, specs: Path
):
    run("apply")
    assert "NOT applied" not in run("status").output
    (specs / "test-week.yaml").write_text(TEST_WEEK.replace('time: "10:00"', 'time: "25:00"'))
    assert sync_specs(engine=engine, specs_dir=specs, now=NOW).outcome == "invalid"

    output = run("status").output

    lines = output.splitlines()
    assert lines[0] == (
        "Spec changes NOT applied since Tue 16 Mar 2027 09:00 UTC: the last valid version stays in force"
    )
    assert lines[1].startswith(f"{specs / 'test-week.yaml'}:4:7: error: "), output
    assert "Upcoming (3)" in output  # the last valid schedule


def test_it_flags_an_upcoming_post_that_is_already_past_its_late_window(run: RunCli):
    run("apply")
    assert "OVERDUE (will be missed)" in run.at(NOW + timedelta(days=1, hours=7, minutes=1))("status").output


def test_it_retries_a_failed_post_now_with_a_fresh_late_window(run: RunCli, engine: Engine):
    run("apply")
    with Session(engine) as session:
        for old, new in [("scheduled", "claimed"), ("claimed", "sending"), ("sending", "failed")]:
            transition(session=session, post_id=ONE, expected=PostStatus(old), to=PostStatus(new), now=NOW)
        session.commit()
    much_later = NOW + timedelta(days=3)

    output = run.at(much_later)("retry", ONE).output

    assert f"Post {ONE} is scheduled again" in output
    assert status_of(engine, ONE) == "scheduled"
    with Session(engine) as session:
        assert claim_due_posts(session=session, now=much_later, worker="d") == [ONE]
        session.commit()


def test_it_refuses_to_retry_a_post_that_did_not_fail(run: RunCli):
    run("apply")
    assert (
        f"post {ONE} is scheduled; only failed or missed posts can be retried"
        in run("retry", ONE, ok=False).output
    )
    assert "no post 'nope' in the schedule" in run("retry", "nope", ok=False).output


def test_it_creates_the_tables_of_an_empty_database_on_db_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'campaigns.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert "run `campaigns db upgrade`" in runner.invoke(cli, ["status"]).output
        assert "revision none (empty)" in runner.invoke(cli, ["db", "current"]).output

        upgraded = runner.invoke(cli, ["db", "upgrade"])
        assert upgraded.exit_code == 0 and "upgraded from empty" in upgraded.output
        assert "already up to date" in runner.invoke(cli, ["db", "upgrade"]).output
        assert ": up to date." in runner.invoke(cli, ["db", "current"]).output
        assert runner.invoke(cli, ["status"]).exit_code == 0
    finally:
        get_settings.cache_clear()


def test_it_says_in_one_line_when_the_database_cannot_be_reached_and_hides_its_password(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://scheduler:hunter2@127.0.0.1:1/campaigns")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["status"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: cannot use the database postgresql+psycopg://scheduler:***@127.0.0.1:1/"
    )
    assert len(result.output.strip().splitlines()) == 1
    assert "hunter2" not in result.output


def long_spec(days: int) -> str:
    """A campaign of ``days`` days, one post a day on both channels (2 x ``days`` posts)."""
    lines = ["campaign: Long Week", "timezone: UTC", "start: 2027-03-17", 'time: "10:00"', "days:"]
    for day in range(1, days + 1):
        lines += ["  - posts:", f'      - "Day {day} of the long week #LongWeek"']
    return "\n".join(lines) + "\n"


def table_rows_of(output: str, kind: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"│ {kind} ")]


def test_it_summarises_a_large_change_and_shows_it_all_with_full(run: RunCli, specs: Path):
    (specs / "long-week.yaml").write_text(long_spec(15))  # 30 posts, and test-week's 3

    summary = run("diff").output
    full = run("diff", "--full").output

    assert has_row(summary, "long-week", "facebook", "15", "15")  # per campaign and channel
    assert has_row(summary, "test-week", "twitter", "3", "3")
    assert "Schedule changes: the first 20 of 33" in summary
    assert len(table_rows_of(summary, "created")) == 20
    assert "... and 13 more changes: `--full` shows them all." in summary
    assert summary.rstrip().endswith("33 created")
    assert len(table_rows_of(full, "created")) == 33 and "more changes" not in full
    assert has_row(full, "created", "long-week:d15-1000:facebook", "facebook")


def test_it_applies_quietly_with_only_the_counts(run: RunCli, engine: Engine, specs: Path):
    (specs / "long-week.yaml").write_text(long_spec(15))

    assert run("apply", "--quiet").output == "33 created\nApplied.\n"
    with Session(engine) as session:
        assert len(session.exec(select(Post)).all()) == 33
    assert run("apply", "--quiet").output == "Nothing to apply.\n"
