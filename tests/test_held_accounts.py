"""An account held for rejected credentials is never silent: `status` shows it and the posts it
blocks, `health` turns red naming it, and the alert in the service's log says what to do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.cli import cli
from campaigns.health import Check, check_accounts
from campaigns.settings import get_settings
from campaigns.store.account_states import flag_credentials
from campaigns.store.held_accounts import HeldAccount, held_accounts
from tests.support.db_fixtures import NOW, add_campaign, add_post

REASON = "credentials rejected: Unauthorized (HTTP 401)"


@pytest.fixture
def flagged(session: Session) -> Session:
    """twitter/default flagged an hour ago; two of its posts wait, one is out; Facebook is fine."""
    add_campaign(session)
    add_campaign(session, "wswd")
    add_post(session, "ssw-week:d1p1:twitter", at=NOW + timedelta(hours=1))
    add_post(session, "wswd:d1p1:twitter", at=NOW + timedelta(hours=2), campaign="wswd", status="claimed")
    add_post(session, "ssw-week:d0p1:twitter", at=NOW - timedelta(days=1), status="published")
    add_post(session, "ssw-week:d1p1:facebook", at=NOW + timedelta(hours=1), channel="facebook")
    flag_credentials(session=session, platform="twitter", account="default", reason=REASON, now=NOW)
    session.commit()
    return session


def test_it_lists_a_held_account_with_the_posts_it_blocks(flagged: Session):
    assert held_accounts(session=flagged) == [
        HeldAccount("twitter", "default", NOW, REASON, 2, ["ssw-week:d1p1:twitter", "wswd:d1p1:twitter"])
    ]
    only_wswd = held_accounts(session=flagged, slug="wswd")
    assert [(a.waiting, a.first_waiting) for a in only_wswd] == [(1, ["wswd:d1p1:twitter"])]


def test_health_turns_red_and_names_the_account(flagged: Session, engine: Engine):
    assert check_accounts(engine, NOW + timedelta(minutes=5)) == Check(
        "accounts",
        False,
        f"twitter/default held 5 min ago ({REASON}), 2 posts waiting: fix the credentials, then run "
        "`campaigns accounts check`",
    )


def test_health_is_green_without_held_accounts(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session)
    assert check_accounts(engine, NOW) == Check("accounts", True, "no account held")


@pytest.fixture
def cli_on(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SPECS_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_status_shows_the_held_account_first_with_its_posts_and_the_way_out(flagged: Session, cli_on: None):
    result = CliRunner().invoke(cli, ["status"], catch_exceptions=False)

    lines = result.output.splitlines()
    assert lines[:2] == [
        f"Account twitter/default is HELD since 2027-03-16 09:00 UTC: {REASON}. 2 posts wait for it "
        "(ssw-week:d1p1:twitter, wswd:d1p1:twitter).",
        "Give it valid credentials, then run `campaigns accounts check`: its posts resume at once.",
    ], result.output


def test_status_of_a_campaign_the_account_does_not_block_says_nothing_of_it(
    flagged: Session, cli_on: None, session: Session
):
    add_campaign(session, "other")
    result = CliRunner().invoke(cli, ["status", "other"], catch_exceptions=False)
    assert "HELD" not in result.output


def test_the_health_command_exits_1_and_names_the_account(flagged: Session, cli_on: None):
    result = CliRunner().invoke(cli, ["health", "--timeout", "0.2"])

    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.split()[1:2] == ["accounts"]]
    assert line.startswith("FAIL  accounts  twitter/default held ")
    assert line.endswith("2 posts waiting: fix the credentials, then run `campaigns accounts check`")
