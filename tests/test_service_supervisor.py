"""The pieces of ``campaigns run``: when it starts a sandbox, what its banner says, how it reports a
start-up problem, and how it keeps its child processes (no orphans, a dead child noticed)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.cli import cli
from campaigns.clock import utc_now
from campaigns.problems import Problem
from campaigns.service.children import Child, Children
from campaigns.service.probe import USAGE, probe
from campaigns.service.sandbox import Address, local_address, sandbox_answers, sandbox_needed
from campaigns.service.startup_schedule import Applied, Summary, apply_specs_once, schedule_summary
from campaigns.service.supervisor import describe_schedule
from campaigns.settings import Settings, get_settings, load_settings
from campaigns.store.db import make_engine, session_scope
from campaigns.store.pipeline import acquire_lease
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign, add_post
from tests.support.publishing_fixtures import clear_leases
from tests.support.service_processes import alive, free_port, wait_for

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings from nothing but a temporary data folder (no shell variables, no .env)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(f"{name.upper()}_FILE", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SPECS_DIR", str(tmp_path / "specs"))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_it_needs_the_sandbox_until_both_platforms_have_credentials():
    twitter = {
        f"twitter_{k}": "x"
        for k in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    }
    facebook = {"facebook_page_id": "1", "facebook_page_token": "t"}

    assert sandbox_needed(load_settings(**twitter))
    assert sandbox_needed(load_settings(**facebook))
    assert not sandbox_needed(load_settings(**twitter, **facebook))
    assert sandbox_needed(load_settings(**twitter, **facebook, sandbox_extra_accounts=2))


def test_it_tells_a_running_sandbox_from_nothing_and_from_another_server(sandbox: SandboxHandle):
    other = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port := free_port()), "-b", "127.0.0.1"]
    )
    try:
        wait_for("the other server", lambda: _listening(port), timeout=30, output=lambda: "")
        assert sandbox_answers(sandbox.url)
        assert not sandbox_answers(f"http://127.0.0.1:{port}")
        assert not sandbox_answers(f"http://127.0.0.1:{free_port()}")
    finally:
        other.terminate()
        other.wait()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8765", Address("127.0.0.1", 8765)),
        ("http://localhost:9000", Address("localhost", 9000)),
        ("http://[::1]:8765", Address("::1", 8765)),
        ("http://sandbox:8765", None),  # another machine, e.g. the compose service
        ("http://10.0.0.5:8765", None),
        ("https://127.0.0.1:8765", None),  # the sandbox speaks plain HTTP
    ],
)
def test_it_starts_a_sandbox_only_for_an_address_of_this_machine(url: str, address: Address | None):
    assert local_address(url) == address


def test_it_summarises_the_schedule_for_the_banner(engine: Engine):
    assert schedule_summary(engine) == Summary(0, 0)
    with Session(engine) as session:
        add_campaign(session, timezone="America/New_York")
        add_post(session, "ssw-week:done:twitter", at=NOW - timedelta(hours=1), status="published")
        add_post(session, "ssw-week:later:twitter", at=NOW + timedelta(days=1))
        add_post(session, "ssw-week:next:facebook", at=NOW + timedelta(hours=2), channel="facebook")

    summary = schedule_summary(engine)

    assert summary == Summary(1, 2, "ssw-week:next:facebook", NOW + timedelta(hours=2), "America/New_York")
    assert describe_schedule(summary) == (
        "1 campaign, 2 posts upcoming; next: ssw-week:next:facebook on Tue 16 Mar 2027 07:00 EDT"
    )


def test_it_reports_every_spec_problem_and_applies_nothing_when_a_spec_is_invalid(
    engine: Engine, tmp_path: Path
):
    (tmp_path / "bad.yaml").write_text(
        "campaign: Bad\ntimezone: Mars/Olympus\nposts: [Hello]\n", encoding="utf-8"
    )

    applied = apply_specs_once(engine=engine, specs_dir=tmp_path, now=NOW)

    assert applied.outcome == "invalid"
    assert applied.lines[0].startswith(f"{tmp_path / 'bad.yaml'}:2:")
    assert "the last valid schedule stays in force" in applied.lines[-1]
    assert schedule_summary(engine).campaigns == 0


def test_it_says_how_many_changes_it_applied():
    assert Applied("applied", [], 1).lines == ["specs applied: 1 post change"]
    warning = Problem("a.yaml", 3, 5, "warning", "no hashtag")
    assert Applied("applied", [warning], 4).lines == [
        "a.yaml:3:5: warning: no hashtag",
        "specs applied: 4 post changes",
    ]


def test_it_refuses_in_one_line_a_sandbox_it_cannot_start(environment: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SANDBOX_URL", "http://sandbox.invalid:8765")
    (environment / "specs").mkdir()

    result = CliRunner().invoke(cli, ["run"])

    assert result.exit_code == 1
    assert result.output == (
        "Error: nothing answers at SANDBOX_URL http://sandbox.invalid:8765 and it is not on this machine: "
        "start the sandbox there, or set SANDBOX_URL to a local address\n"
    )


def test_it_names_the_busy_port_and_the_setting_that_moves_the_sandbox(
    environment: Path, monkeypatch: pytest.MonkeyPatch
):
    (environment / "specs").mkdir()
    with socket.socket() as busy:  # something that is not the sandbox holds the port
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("SANDBOX_URL", f"http://127.0.0.1:{port}")

        result = CliRunner().invoke(cli, ["run"])

    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot start the sandbox: port {port} on 127.0.0.1 is in use by something that is not "
        f"the sandbox; set SANDBOX_URL to a free port (e.g. SANDBOX_URL=http://127.0.0.1:{port + 10}) in "
        "the environment or .env\n"
    )


def test_it_refuses_in_one_line_a_missing_specs_folder(
    environment: Path, monkeypatch: pytest.MonkeyPatch, sandbox: SandboxHandle
):
    monkeypatch.setenv("SANDBOX_URL", sandbox.url)

    result = CliRunner().invoke(cli, ["run"])

    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: the campaign specs folder {environment / 'specs'} does not exist (SPECS_DIR)\n"
    )


def test_it_notices_a_child_that_died_and_stops_the_others():
    children = Children()
    try:
        first, second = children.start(Child("first", SLEEP)), children.start(Child("second", SLEEP))
        assert children.exited() is None
        second.signal(signal.SIGKILL)
        wait_for("the child to die", lambda: not second.running(), timeout=30, output=lambda: "")

        assert children.exited() is second and second.exit_code() == -signal.SIGKILL
    finally:
        children.stop_all()
    assert not first.running() and first.exit_code() == -signal.SIGTERM


def test_it_leaves_no_orphan_when_the_supervisor_is_killed(tmp_path: Path):
    script = (
        "import sys, time\n"
        "from campaigns.service.children import Child\n"
        f"child = Child('sleeper', {SLEEP!r})\n"
        "child.start()\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    supervisor = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert supervisor.stdout is not None
    orphan = int(supervisor.stdout.readline())
    assert alive(orphan)

    try:
        supervisor.kill()
        supervisor.wait()

        wait_for(
            "the child to follow its supervisor", lambda: not alive(orphan), timeout=30, output=lambda: ""
        )
    finally:
        supervisor.stdout.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(orphan, signal.SIGKILL)


def test_it_probes_the_sandbox_for_a_container_health_check(sandbox: SandboxHandle):
    assert probe(["sandbox", sandbox.url]) == (True, f"sandbox at {sandbox.url}: answers")
    closed = f"http://127.0.0.1:{free_port()}"
    assert probe(["sandbox", closed]) == (False, f"sandbox at {closed}: does not answer")


def test_it_probes_the_beat_through_its_lease(
    environment: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
):
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    engine = make_engine(db_url)
    clear_leases(engine)  # the PostgreSQL database is shared by the session's tests
    try:
        assert probe(["beat"]) == (False, "beat: no beat has ever run (start `celery -A worker beat`)")
        with session_scope(engine) as session:
            acquire_lease(
                session=session, name="beat", holder="beat-a", now=utc_now(), ttl=timedelta(seconds=20)
            )

        healthy, line = probe(["beat"])
    finally:
        clear_leases(engine)
        engine.dispose()
    assert healthy and line.startswith("beat: beat-a ticked ")
    assert probe(["worker"]) == (False, USAGE)


def test_it_refuses_in_one_line_a_database_it_cannot_reach(
    environment: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(
        "DATABASE_URL", f"postgresql+psycopg://campaigns:s3cret@127.0.0.1:{free_port()}/campaigns"
    )

    result = CliRunner().invoke(cli, ["run"])

    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: cannot use the database postgresql+psycopg://campaigns:***@127.0.0.1:"
    )
    assert "s3cret" not in result.output and len(result.output.splitlines()) == 1
