"""``campaigns accounts check`` and ``campaigns publish-test`` through click's CliRunner."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns import demo_accounts
from campaigns.cli import cli
from campaigns.platforms import platform_for
from campaigns.settings import Settings, get_settings, load_settings
from campaigns.store.account_states import flag_credentials
from campaigns.store.models import AccountState
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sandbox: SandboxHandle) -> Iterator[None]:
    """Settings from nothing but the sandbox's address (no shell variables, no .env)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(f"{name.upper()}_FILE", raising=False)
    monkeypatch.setenv("SANDBOX_URL", sandbox.url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_it_reports_each_working_account_with_its_handle(sandbox: SandboxHandle) -> None:
    result = run("accounts", "check")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"twitter  default  ok  @{demo_accounts.X_USERNAME} (sandbox {sandbox.url})",
        f"facebook default  ok  {demo_accounts.FB_PAGE_NAME} (sandbox {sandbox.url})",
    ]


def test_it_fails_with_one_line_saying_why_an_account_does_not_work(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="revoke", platform="facebook")
    result = run("accounts", "check")
    assert result.exit_code == 1
    twitter, facebook = result.output.splitlines()
    assert twitter.startswith("twitter  default  ok")
    assert facebook.startswith(
        "facebook default  FAILED  credentials rejected: Error validating access token"
    )
    assert facebook.endswith("(code 190, subcode 460)")


def test_it_resumes_at_once_a_held_account_that_works_again(
    sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine
) -> None:
    with Session(engine) as session:  # the service stopped using both after a rejected token
        for platform in ("twitter", "facebook"):
            flag_credentials(session=session, platform=platform, account="default", reason="401", now=NOW)
        session.commit()
    sandbox.add_fault(kind="revoke", platform="facebook")  # ...and only X's was fixed since
    monkeypatch.setenv("DATABASE_URL", db_url)

    result = run("accounts", "check")

    assert result.exit_code == 1
    assert (
        result.output.splitlines()[-1]
        == "twitter/default works again: its held posts go out from the next tick."
    )
    with Session(engine) as session:
        states = {a.platform: a.attention_needed for a in session.exec(select(AccountState))}
    assert states == {"twitter": False, "facebook": True}


def test_it_creates_no_database_just_to_look_for_held_accounts(tmp_path: Path) -> None:
    assert run("accounts", "check").exit_code == 0
    assert not (tmp_path / "var").exists()


def test_it_suggests_starting_the_sandbox_when_it_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("SANDBOX_URL", closed)
    result = run("accounts", "check")
    assert result.exit_code == 1
    assert all(f"is `campaigns sandbox` running at {closed}?" in line for line in result.output.splitlines())


def test_it_checks_the_accounts_named_in_the_accounts_file(
    sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fr = sandbox.add_account(platform="x", username="ssw_fr")
    (tmp_path / "accounts.toml").write_text(
        "[fr]\nplatform = 'twitter'\nsandbox = true\n"
        + "".join(f"{k} = '{fr[k]}'\n" for k in ("consumer_key", "consumer_secret", "access_token"))
        + "access_token_secret = 'not-the-secret'\n"
    )
    monkeypatch.setenv("ACCOUNTS_FILE", str(tmp_path / "accounts.toml"))
    result = run("accounts", "check")
    assert result.exit_code == 1
    assert result.output.splitlines()[2].startswith(
        "twitter  fr       FAILED  credentials rejected: Unauthorized"
    )


def test_it_reports_unusable_settings_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWITTER_CONSUMER_KEY", "a-real-looking-key")
    result = run("accounts", "check")
    assert result.exit_code == 1
    assert result.output.startswith("Error: invalid settings: X credentials are incomplete")
    assert len(result.output.splitlines()) == 1 and "a-real-looking-key" not in result.output


def test_it_builds_the_sandbox_family_of_accounts_the_sandbox_knows(sandbox: SandboxHandle) -> None:
    sandbox.add_account(count=3)
    settings = load_settings(sandbox_url=sandbox.url)
    for platform in ("twitter", "facebook"):
        statuses = [platform_for(a).check() for a in settings.sandbox_accounts(platform, 3)]
        assert len({s.user_id for s in statuses}) == 3


def test_it_publishes_a_test_post_with_an_image_to_both_platforms(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    (tmp_path / "team.png").write_bytes(PNG)
    result = run(
        "publish-test", "--text", "Hello from the scheduler", "--image", "team.png", "--alt", "Our team"
    )
    assert result.exit_code == 0, result.output
    posts = sandbox.posts()
    assert [(p["platform"], p["text"], p["media"][0]["alt_text"]) for p in posts] == [
        ("x", "Hello from the scheduler", "Our team"),
        ("facebook", "Hello from the scheduler", "Our team"),
    ]
    assert [line.split()[3] for line in result.output.splitlines()] == [p["id"] for p in posts]


def test_it_publishes_a_test_post_to_one_channel_only(sandbox: SandboxHandle) -> None:
    result = run("publish-test", "--text", "Only on Facebook", "--channel", "facebook")
    assert result.exit_code == 0, result.output
    assert [p["platform"] for p in sandbox.posts()] == ["facebook"]


def test_it_requires_alt_text_with_an_image(tmp_path: Path) -> None:
    (tmp_path / "team.png").write_bytes(PNG)
    result = run("publish-test", "--text", "Hello", "--image", "team.png")
    assert result.exit_code == 2
    assert "--alt is required with --image" in result.output
