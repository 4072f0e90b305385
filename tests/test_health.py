"""The health check: red with a reason when posts are overdue, the beat is silent or no worker answers."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.cli import cli
from campaigns.health import (
    Check,
    Health,
    celery_ping,
    check_beat,
    check_clock,
    check_health,
    check_posts,
    check_workers,
    describe_clock_offset,
    make_health_server,
)
from campaigns.settings import get_settings, load_settings
from campaigns.store.account_states import hold_account
from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade
from campaigns.store.pipeline import acquire_lease, release_lease
from tests.support.db_fixtures import NOW, add_campaign, add_post
from tests.support.publishing_fixtures import clear_leases
from tests.support.service_processes import refused_redis_url
from worker.app import make_probe_app

MINUTE = timedelta(minutes=1)


@pytest.fixture
def leases(engine: Engine) -> Iterator[Engine]:
    clear_leases(engine)
    yield engine
    clear_leases(engine)


def beat_ticked(engine: Engine, at: timedelta, holder: str = "vm:42:abc") -> None:
    with Session(engine) as session:
        acquire_lease(session=session, name="beat", holder=holder, now=NOW + at, ttl=timedelta(seconds=20))
        session.commit()


def test_it_is_green_when_nothing_is_overdue(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, "due-30s-ago", at=NOW - timedelta(seconds=30))
    add_post(session, "published", at=NOW - 10 * MINUTE, status="published")

    assert check_posts(engine, NOW) == Check("posts", True, "nothing overdue")


def test_it_names_the_oldest_overdue_post(session: Session, engine: Engine):
    add_campaign(session)
    add_post(session, "due-2min-ago", at=NOW - 2 * MINUTE)
    add_post(session, "claimed-long-ago", at=NOW - 5 * MINUTE, status="claimed", claimed_at=NOW - 5 * MINUTE)

    assert check_posts(engine, NOW) == Check(
        "posts", False, "2 posts overdue; oldest claimed-long-ago (claimed) was due 5 min ago"
    )


def test_it_does_not_count_posts_held_on_purpose_as_overdue(session: Session, engine: Engine):
    add_campaign(session, "paused", operator_paused=True)
    add_campaign(session, "running")
    add_post(session, "paused-post", campaign="paused", at=NOW - 10 * MINUTE)
    add_post(session, "held-account", campaign="running", account="other", at=NOW - 10 * MINUTE)
    add_post(session, "backing-off", campaign="running", at=NOW - 10 * MINUTE, next_attempt_at=NOW + MINUTE)
    hold_account(
        session=session, platform="twitter", account="other", until=NOW + MINUTE, reason="429", now=NOW
    )
    session.commit()

    assert check_posts(engine, NOW).ok


def test_it_says_when_no_beat_has_ever_run(leases: Engine):
    assert check_beat(leases, NOW) == Check(
        "beat", False, "no beat has ever run (start `celery -A worker beat`)"
    )


def test_it_is_green_while_the_beat_ticks(leases: Engine):
    beat_ticked(leases, -timedelta(seconds=3))
    assert check_beat(leases, NOW) == Check("beat", True, "vm:42:abc ticked 3 s ago")


def test_it_turns_red_when_the_beat_falls_silent(leases: Engine):
    beat_ticked(leases, -timedelta(seconds=45))
    assert check_beat(leases, NOW) == Check("beat", False, "silent: vm:42:abc last ticked 45 s ago")


def test_it_turns_red_when_the_last_beat_stopped(leases: Engine):
    beat_ticked(leases, -5 * MINUTE)
    with Session(leases) as session:
        release_lease(session=session, name="beat", holder="vm:42:abc", now=NOW - 5 * MINUTE)
        session.commit()
    assert check_beat(leases, NOW) == Check(
        "beat", False, "no beat is active; the last one stopped 5 min ago"
    )


def test_it_lists_the_workers_that_answer():
    assert check_workers(lambda: ["celery@b", "celery@a"], timeout=1) == Check(
        "workers", True, "2 answered: celery@a, celery@b"
    )


def test_it_turns_red_when_no_worker_answers():
    assert check_workers(lambda: [], timeout=0.5) == Check(
        "workers", False, "no worker answered within 0.5 s"
    )


def test_it_turns_red_when_the_broker_cannot_be_asked():
    def ping() -> list[str]:
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379.\nConnection refused.")

    assert check_workers(ping, timeout=1) == Check(
        "workers",
        False,
        "cannot ask the workers: Error 111 connecting to 127.0.0.1:6379. Connection refused.",
    )


def test_it_reports_a_database_it_cannot_read_instead_of_raising(tmp_path: Path):
    empty = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")
    try:
        health = check_health(engine=empty, now=NOW, ping=lambda: ["celery@a"], ping_timeout=1)
    finally:
        empty.dispose()
    assert [(c.name, c.ok) for c in health.checks] == [
        ("posts", False),
        ("beat", False),
        ("accounts", False),
        ("workers", True),
    ]
    assert health.checks[0].detail.startswith(
        "cannot read the database: (sqlite3.OperationalError) no such table"
    )


def test_the_probe_asks_a_broker_once_and_waits_for_it_at_most_its_timeout(tmp_path: Path):
    # The workers' own app retries a lost Redis for ~12 s; `campaigns health` must not.
    settings = load_settings(data_dir=tmp_path, redis_url=refused_redis_url())
    options = make_probe_app(settings, 0.5).conf.broker_transport_options
    assert options["max_retries"] == 0 and options["socket_connect_timeout"] == 0.5


def test_it_says_the_workers_cannot_be_asked_when_the_broker_is_down(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path, redis_url=refused_redis_url())
    check = check_workers(celery_ping(make_probe_app(settings, 0.5), 0.5), timeout=0.5)
    assert not check.ok
    assert check.detail.startswith("cannot ask the workers: Error 111 connecting to 127.0.0.1:")


@pytest.mark.parametrize(("workers", "status"), [(["celery@a"], 200), ([], 503)])
def test_it_serves_the_health_as_json_over_http(workers: list[str], status: int):
    health = Health([Check("posts", True, "nothing overdue"), check_workers(lambda: workers, timeout=1)])
    server = make_health_server("127.0.0.1", 0, lambda: health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
    try:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                code, body = response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            code, body = e.code, json.loads(e.read())
            e.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert code == status
    assert body == health.as_dict() and body["ok"] == (status == 200)


def test_it_prints_one_line_per_check_and_exits_1_when_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clear_settings: None
):
    url = f"sqlite:///{tmp_path / 'campaigns.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", url)

    result = CliRunner().invoke(cli, ["health", "--timeout", "0.2"])

    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "ok    posts     nothing overdue",
        "FAIL  beat      no beat has ever run (start `celery -A worker beat`)",
        "ok    accounts  no account held",
        "ok    problems  nothing needs a person",
        "ok    clock     the database is on this machine: one clock",
        "FAIL  workers   no worker alive (none wrote its heartbeat in the last 6 s)",
    ]


def test_it_prints_the_health_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clear_settings: None):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")

    result = CliRunner().invoke(cli, ["health", "--json", "--timeout", "0.2"])

    assert result.exit_code == 1
    assert [c["name"] for c in json.loads(result.output)["checks"]] == [
        "posts",
        "beat",
        "accounts",
        "problems",
        "clock",
        "workers",
    ]


@pytest.fixture
def clear_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("offset", "mark", "shown"),
    [
        (0.04, "ok", "this machine's clock is 0.04 s ahead of the database's"),
        (-12.0, "warn", "this machine's clock is 12.00 s behind the database's: the service keeps"),
        (3600.0, "FAIL", "this machine's clock is 60 min ahead of the database's: the service keeps"),
    ],
)
def test_the_clock_line_says_how_far_this_machine_is_from_the_database(offset: float, mark: str, shown: str):
    check = describe_clock_offset(offset)

    assert ("FAIL" if not check.ok else "warn" if check.warning else "ok") == mark
    assert check.detail.startswith(shown)


@pytest.mark.integration
def test_the_clock_check_compares_with_the_postgresql_server(postgres_engine: Engine):
    check = check_clock(postgres_engine, NOW)

    assert check.ok and not check.warning, check  # the test server runs on this machine
    assert check.detail.startswith("this machine's clock is 0.0")
