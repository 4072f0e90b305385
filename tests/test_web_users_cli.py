"""``campaigns users``: the first admin in one command, passwords, roles, revocation, removal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from sqlmodel import Session, select

from campaigns.cli import cli
from campaigns.settings import get_settings
from campaigns.store.web_models import AuditEntry, User
from tests.support.web_fixtures import PASSWORD, Web, login


@pytest.fixture
def users(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["users", *args], input=stdin, catch_exceptions=False)


def test_the_first_admin_is_one_command_and_can_log_in(users: None, web: Web):
    result = run("add", "alex", "--role", "admin", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert result.exit_code == 0 and "Added alex (admin)" in result.output
    assert login(web.app_client(), "alex", PASSWORD).status_code == 303
    listed = run("list").output
    assert "alex" in listed and "admin" in listed and PASSWORD not in listed


def test_the_password_is_asked_twice_and_never_stored_in_clear(users: None, web: Web):
    result = run("add", "ana", "--role", "viewer", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with Session(web.engine) as session:
        user = session.exec(select(User).where(User.name == "ana")).one()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "ana", "--role", "viewer", "--password-stdin"), "short\n", "at least 10 characters"),
        (("passwd", "nobody", "--password-stdin"), f"{PASSWORD}\n", "no user 'nobody'"),
        (("remove", "nobody"), None, "no user 'nobody'"),
    ],
)
def test_mistakes_are_one_line(users: None, web: Web, args: tuple[str, ...], stdin: str | None, message: str):
    result = run(*args, stdin=stdin)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_a_name_is_taken_once(users: None, web: Web):
    web.user("ana", "viewer")
    result = run("add", "ana", "--role", "admin", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert result.exit_code == 1 and "already a user 'ana'" in result.output


def test_passwd_revoke_and_remove_end_open_sessions_at_once(users: None, web: Web):
    client = web.client("editor", name="ed")
    assert run("passwd", "ed", "--password-stdin", stdin="a brand new password\n").exit_code == 0
    assert client.get("/calendar").status_code == 303
    assert login(client, "ed", "a brand new password").status_code == 303
    assert "1 open session of ed ended" in run("revoke", "ed").output
    assert client.get("/calendar").status_code == 303
    login(client, "ed", "a brand new password")
    assert run("role", "ed", "--role", "viewer").exit_code == 0
    assert client.get("/pause?action=pause").status_code == 403  # the new role counts at once
    assert run("remove", "ed").exit_code == 0
    assert client.get("/calendar").status_code == 303
    with Session(web.engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.actor == "cli"))]
    assert actions == ["users passwd", "users revoke", "users role", "users remove"]
