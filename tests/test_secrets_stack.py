"""Sentinel credentials through the whole stack: they appear nowhere but where they are configured.

Every credential gets a unique sentinel value: the X app's keys and bearer token, the access token
and secret of two X accounts (the environment's and one in an accounts file), the Facebook Page
token and app secret, the SMTP password, the Redis password (a redis-server of the test's own, with
``requirepass``), a password in the PostgreSQL URL (the server trusts local connections, so it is
sent and ignored), and the dashboard user's password. The sandbox is told to accept them
(``/_sandbox/apps``, ``/_sandbox/accounts``). Then the real stack runs: Celery workers and beat
publish (one account's token revoked: the 401 path), the week after a worker collects metrics and
e-mails the weekly report and the alerts to a local SMTP server, the dashboard is read over HTTP,
and the CLI checks the accounts. Searched afterwards: every file the run wrote (process output,
reports, the beat's schedule file), the CLI's output, every Redis key and value (Celery messages
decoded, results), every row of every table, the e-mails (decoded), the dashboard's pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine

from benchmarks.faultkit.launch import CLOCK_VAR
from benchmarks.faultkit.secrets_scan import database_text, files_text, leaks, redis_text
from campaigns.reports.weeks import week_of
from campaigns.store.db import make_engine
from campaigns.store.migrate import upgrade
from tests.support.db_fixtures import ThrowawayPostgres
from tests.support.service_processes import (
    CAMPAIGNS,
    CELERY,
    REPO,
    Cluster,
    Process,
    Processes,
    clean_env,
    free_port,
    processes,
    wait_for,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="needs redis-server (a password of its own)"
    ),
]

X_USER, X_REVOKED_USER, PAGE = "1500000000000000771", "1500000000000000772", "100000000000771"
PREFIX = "sentinel-test"
WEEK = 7 * 24 * 3600


class Sentinels:
    """One unique value per credential, all sharing ``marker`` (what the search looks for)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.consumer_key, self.consumer_secret = f"{marker}ck", f"{marker}cs"
        self.bearer = f"{marker}bearer"
        self.access_token, self.access_secret = f"{X_USER}-{marker}at", f"{marker}ats"
        self.revoked_token, self.revoked_secret = f"{X_REVOKED_USER}-{marker}at2", f"{marker}ats2"
        self.page_token, self.app_secret = f"{marker}page", f"{marker}app"
        self.smtp, self.redis, self.database = f"{marker}smtp", f"{marker}redis", f"{marker}db"
        self.dashboard = f"{marker}dashboard"


class Inbox:
    def __init__(self, password: str) -> None:
        self.password = password
        self.messages: list[bytes] = []
        self.logins = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == self.password
        self.logins += ok
        return AuthResult(success=ok)


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox(Sentinels(_marker(tmp_path)).smtp)
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_required=False,  # offered, and the service logs in (asserted); required would warn
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _marker(tmp_path: Path) -> str:
    """The run's sentinel prefix: unique to the test's folder, so no earlier run's value matches."""
    return "SNTNL" + re.sub(r"[^a-z0-9]", "", tmp_path.name.lower())[-8:] + "x"


def _spec(at: datetime, token: str) -> dict[str, str]:
    head = f'timezone: UTC\nstart: {at:%Y-%m-%d}\ntime: "{at:%H:%M}"\nlate_window: 5m\n'
    return {
        "sentinel-week.yaml": (
            f"campaign: Sentinel Week\n{head}channels: [twitter, facebook]\nhashtags: ['#SentinelWeek']\n"
            "days:\n  - posts:\n"
            f"      - Day one of #SentinelWeek {token} https://example.org/day-1\n"
            f"      - text: The workforce, pictured #SentinelWeek {token}\n"
            "        image: media/day-1.png\n        alt: A car without wheels\n"
        ),
        "sentinel-revoked.yaml": (
            f"campaign: Sentinel Revoked\n{head}channels: [twitter]\nhashtags: ['#SentinelRevoked']\n"
            "accounts: {twitter: second}\n"
            f"days:\n  - posts:\n      - The revoked account's post #SentinelRevoked {token}\n"
        ),
    }


def _accounts_file(folder: Path, s: Sentinels) -> Path:
    path = folder / "accounts.toml"
    path.write_text(
        '[second]\nplatform = "twitter"\nbase_url = "{url}"\n'
        f'consumer_key = "{s.consumer_key}"\nconsumer_secret = "{s.consumer_secret}"\n'
        f'access_token = "{s.revoked_token}"\nbearer_token = "{s.bearer}"\n'
        'access_token_secret_file = "second-secret.txt"\n',
        encoding="utf-8",
    )
    (folder / "second-secret.txt").write_text(s.revoked_secret + "\n", encoding="utf-8")
    return path


def _sandbox(group: Processes, s: Sentinels) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    group.start("sandbox", [CELERY[0], "-m", "sandbox", "--port", str(port)])
    wait_for("the sandbox", lambda: _answers(url + "/_sandbox/clock"), timeout=60, output=group.output)
    admin = requests.Session()
    for path, body in (
        ("/_sandbox/apps", {"consumer_key": s.consumer_key, "consumer_secret": s.consumer_secret,
                            "bearer_token": s.bearer}),
        ("/_sandbox/accounts", {"platform": "x", "id": X_USER, "username": "sentinel_one",
                                "access_token": s.access_token, "access_token_secret": s.access_secret}),
        ("/_sandbox/accounts", {"platform": "x", "id": X_REVOKED_USER, "username": "sentinel_two",
                                "access_token": s.revoked_token, "access_token_secret": s.revoked_secret}),
        ("/_sandbox/accounts", {"platform": "facebook", "id": PAGE, "name": "Sentinel Page",
                                "access_token": s.page_token}),
        ("/_sandbox/faults", {"kind": "revoke", "platform": "x", "account": X_REVOKED_USER}),
    ):  # fmt: skip
        admin.post(url + path, json=body, timeout=10).raise_for_status()
    return url


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.ConnectionError:
        return False


def _redis(group: Processes, password: str) -> str:
    port = free_port()
    group.start("redis", ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--requirepass", password])  # fmt: skip
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    wait_for("Redis", lambda: _pings(url), timeout=30, output=group.output)
    return url


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url).ping())
    except redis.ConnectionError:
        return False


def _settled(engine: Engine) -> dict[str, str] | None:
    """post id -> published or held (the revoked account), once all five posts are one or the other."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.id, p.status, EXISTS (SELECT 1 FROM attempts a WHERE a.post_id = p.id "
                "AND a.outcome = 'held') AS held FROM posts p"
            )
        ).all()
    states = {r.id: "held" if r.held else r.status for r in rows}
    return states if len(states) == 5 and set(states.values()) <= {"published", "held"} else None


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _celery_call(env: dict[str, str], task: str, outputs: dict[str, str]) -> None:
    done = subprocess.run(
        [*CELERY, "call", task], env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    outputs[f"celery call {task}"] = done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr


def _succeeded(worker: Process, task: str) -> bool:
    return re.search(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", worker.output()) is not None


def _run(env: dict[str, str], *argv: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [CAMPAIGNS, *argv], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    return f"$ campaigns {' '.join(argv)} -> {done.returncode}\n{done.stdout}{done.stderr}"


def _dashboard(base: str, password: str) -> dict[str, str]:
    """Every page a logged-in admin can reach from the menu, each post's page and each report."""
    browser = requests.Session()
    browser.get(f"{base}/login", timeout=30)
    answer = browser.post(
        f"{base}/login",
        data={"name": "admin", "password": password, "next": "/"},
        headers={"Origin": base},
        timeout=30,
    )
    assert answer.ok and "/login" not in answer.url, answer.text[:500]
    pages: dict[str, str] = {}
    todo = ["/", "/calendar", "/attention", "/campaigns", "/specs", "/reports", "/engagement", "/health",
            "/audit"]  # fmt: skip
    while todo:
        path = todo.pop()
        if path in pages:
            continue
        response = browser.get(base + path, timeout=30)
        pages[path] = f"{response.status_code}\n{response.text}"
        for link in re.findall(r'href="(/(?:posts|reports)/[^"#?]+)"', response.text):
            if "/image/" not in link and link not in pages:
                todo.append(link.replace("&amp;", "&"))
    return pages


def _mail_text(raw: bytes) -> str:
    """The message as sent plus every part decoded (base64 and quoted-printable bodies)."""
    message = message_from_bytes(raw, policy=policy.default)
    parts = [raw.decode("utf-8", "replace")]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_no_credential_appears_anywhere_but_its_configuration(
    tmp_path: Path, throwaway_postgres: ThrowawayPostgres, smtp: tuple[Inbox, int]
):
    inbox, smtp_port = smtp
    s = Sentinels(_marker(tmp_path))
    config, run = tmp_path / "config", tmp_path / "run"
    specs, data = run / "specs", run / "var"
    for folder in (config, specs / "media", data):
        folder.mkdir(parents=True)
    shutil.copy(REPO / "campaign_specs" / "media" / "ssw-week-day-1.png", specs / "media" / "day-1.png")
    database_url = make_url(throwaway_postgres.create()).set(password=s.database)
    engine = make_engine(database_url.render_as_string(hide_password=False))
    upgrade(engine)
    clock_file = run / "clock-offset"
    clock_file.write_text("0")
    outputs: dict[str, str] = {}

    with processes(clean_env(), run / "logs") as group:
        sandbox_url = _sandbox(group, s)
        accounts = _accounts_file(config, s)
        accounts.write_text(accounts.read_text().replace("{url}", sandbox_url))
        web_port = free_port()
        env = clean_env(
            DATABASE_URL=database_url.render_as_string(hide_password=False),
            REDIS_URL=_redis(group, s.redis), BROKER_PREFIX=PREFIX, DATA_DIR=str(data), SPECS_DIR=str(specs),
            SANDBOX_URL=sandbox_url, TWITTER_BASE_URL=sandbox_url, FACEBOOK_BASE_URL=sandbox_url,
            TWITTER_CONSUMER_KEY=s.consumer_key, TWITTER_CONSUMER_SECRET=s.consumer_secret,
            TWITTER_ACCESS_TOKEN=s.access_token, TWITTER_ACCESS_TOKEN_SECRET=s.access_secret,
            TWITTER_BEARER_TOKEN=s.bearer, FACEBOOK_PAGE_ID=PAGE, FACEBOOK_PAGE_TOKEN=s.page_token,
            FACEBOOK_APP_SECRET=s.app_secret, ACCOUNTS_FILE=str(accounts),
            SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), SMTP_STARTTLS="false", SMTP_USER="reports",
            SMTP_PASSWORD=s.smtp, SMTP_FROM="reports@example.org", REPORT_RECIPIENTS="comms@example.org",
            METRICS_YOUNG_INTERVAL="60", METRICS_INTERVAL="60", HTTP_TIMEOUT="5",
            CAMPAIGNS_TEST_SYNC_SPECS_EVERY="1", CAMPAIGNS_TEST_SWEEP_EVERY="2", **{CLOCK_VAR: str(clock_file)},
        )  # fmt: skip
        group.env = env
        cluster = Cluster(group)
        at = (datetime.now(UTC) + timedelta(seconds=79)).replace(second=0, microsecond=0)
        for name, content in _spec(at, s.marker[-6:]).items():
            (specs / name).write_text(content, encoding="utf-8")
        workers = [cluster.worker("worker1", concurrency=2), cluster.worker("worker2")]
        beat = cluster.beat()
        group.start("web", [CAMPAIGNS, "web", "--port", str(web_port)])
        outputs["users add"] = _run(env, "users", "add", "admin", "--role", "admin", "--password-stdin",
                                    stdin=f"{s.dashboard}\n")  # fmt: skip

        states = wait_for(
            "the posts published, the revoked account's held",
            lambda: _settled(engine),
            timeout=(at - datetime.now(UTC)).total_seconds() + 120,
            output=group.output,
        )
        _celery_call(env, "worker.tasks.collect_metrics", outputs)
        wait_for("metrics", lambda: _count(engine, "metric_samples"), timeout=120, output=group.output)
        for worker in workers:
            worker.stop()
        wait_for(
            "a beat tick queued for nobody",
            lambda: _queued(env["REDIS_URL"]),
            timeout=30,
            output=group.output,
        )
        beat.stop()
        outputs["redis while the workers were down"] = redis_text(env["REDIS_URL"])

        # The week after, past the Monday 08:00 that makes the report of the posts' week due (on a
        # Monday before 08:00 a week is not enough), metrics are due.
        due = week_of(at.date()).due_at("UTC")
        clock_file.write_text(str(max(WEEK, int((due - datetime.now(UTC)).total_seconds()) + 600)))
        for task in ("worker.tasks.collect_metrics", "worker.report_tasks.send_weekly_reports",
                     "worker.report_tasks.send_alerts"):  # fmt: skip
            _celery_call(env, task, outputs)
        outputs["redis with the week's tasks queued"] = redis_text(env["REDIS_URL"])
        next_week = cluster.worker("worker-next-week")
        wait_for(
            "metrics, the weekly report and the alerts",
            lambda: all(_succeeded(next_week, t) for t in ("worker.tasks.collect_metrics",
                        "worker.report_tasks.send_weekly_reports", "worker.report_tasks.send_alerts")),
            timeout=180,
            output=group.output,
        )  # fmt: skip
        outputs["redis at the end"] = redis_text(env["REDIS_URL"])
        for argv in (["accounts", "check"], ["status"], ["status", "sentinel-week"], ["health"],
                     ["report", "sentinel-week", "--format", "json", "--week", f"{at:%G-W%V}"]):  # fmt: skip
            outputs[" ".join(argv)] = _run(env, *argv)
        pages = _dashboard(f"http://127.0.0.1:{web_port}", s.dashboard)
        next_week.stop()

    database = database_text(engine)
    engine.dispose()
    mails = {f"e-mail {n}": _mail_text(raw) for n, raw in enumerate(inbox.messages)}
    places = {
        **files_text(tmp_path, {accounts, config / "second-secret.txt"}),
        **outputs,
        "database": database,
        **mails,
        **{f"dashboard {path}": html for path, html in pages.items()},
    }

    assert {k.split(":")[0] + ":" + k.split(":")[-1] + " " + v for k, v in states.items()} == {
        "sentinel-week:twitter published",
        "sentinel-week:facebook published",
        "sentinel-revoked:twitter held",
    }, states
    assert inbox.logins >= 1 and any("Sentinel Week" in m for m in mails.values()), list(mails)
    assert "/reports/sentinel-week/" in "".join(pages), list(pages)
    assert re.search(r"revoked|401|rejected|credentials", outputs["accounts check"], re.I), outputs[
        "accounts check"
    ]
    found = leaks(s.marker, places)
    assert not found, "the sentinel leaked:\n" + "\n".join(found[:30])


def _queued(url: str) -> bool:
    """True once a message waits in one of the broker's queues (the workers are down)."""
    client = redis.Redis.from_url(url)
    return any(client.type(k) == b"list" and client.llen(k) for k in client.scan_iter(f"{PREFIX}*"))
