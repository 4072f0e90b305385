"""The new user's first run: ``campaigns run`` on a fresh data folder publishes a post on time.

Exactly the issue's "done when": a copy of a bundled spec with a post a minute ahead, the service
started as a person would (embedded defaults: SQLite, no Redis, the sandbox it starts itself on a
free port), then the sandbox's ground truth and ``campaigns status``; and Ctrl-C stops it all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.testing import SandboxHandle
from tests.support.service_processes import (
    CAMPAIGNS,
    REPO,
    Processes,
    alive,
    children_of,
    clean_env,
    descendants,
    free_port,
    processes,
    wait_for,
)

BUNDLED = REPO / "campaign_specs" / "ssw-week.yaml"
STARTED = "One line per published post follows."
LEAD = 20  # seconds at least between writing the spec and the post's minute: the start-up's time


def post_minute(now: datetime) -> datetime:
    """The first whole minute at least ``LEAD`` seconds away (so 20 to 80 s ahead)."""
    return (now + timedelta(seconds=LEAD + 59)).replace(second=0, microsecond=0)


def copy_bundled_spec(specs: Path, *, at: datetime) -> None:
    """ssw-week.yaml with day 1 today (UTC) at ``at``; a 5-minute late window keeps the day's
    other posts, if their time has passed already, from going out late during the test."""
    text = BUNDLED.read_text(encoding="utf-8")
    for key, value in (("start", f"{at:%Y-%m-%d}"), ("time", f'"{at:%H:%M}"'), ("timezone", "UTC")):
        text, count = re.subn(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE)
        assert count == 1, f"{BUNDLED.name} has no top-level {key}"
    shutil.copytree(BUNDLED.parent / "media", specs / "media")
    (specs / BUNDLED.name).write_text(text + "late_window: 5m\n", encoding="utf-8")


def sandbox_posts(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_sandbox/posts", timeout=5) as response:
        posts: list[dict[str, Any]] = json.loads(response.read())["posts"]
    return posts


def first_posts(url: str, *, expected: int) -> list[dict[str, Any]]:
    """The sandbox's copies of day 1's first post, once there are ``expected`` of them."""
    posts = [p for p in sandbox_posts(url) if p["text"].startswith("A strong")]
    return posts if len(posts) >= expected else []


def healthz(port: str) -> dict[str, Any] | None:
    """The service's /healthz answer once it is green (200); None while it is not (503)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            answer: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as e:  # 503: not yet
        e.close()
        return None
    return answer if answer["ok"] else None


def service_env(tmp_path: Path, sandbox_url: str) -> dict[str, str]:
    return clean_env(
        DATA_DIR=str(tmp_path / "var"),
        SPECS_DIR=str(tmp_path / "specs"),
        SANDBOX_URL=sandbox_url,
        HEALTH_PORT=str(free_port()),
        WEB_PORT=str(free_port()),
    )


def interrupt(group: Processes, pid: int) -> tuple[int, set[int]]:
    """Ctrl-C the service; its exit code and the processes it had started."""
    [run] = [p for p in group.started if p.pid == pid]
    below = descendants(pid)
    run.popen.send_signal(signal.SIGINT)
    code = run.popen.wait(timeout=60)
    return code, below


@pytest.mark.slow
def test_it_publishes_a_post_scheduled_a_minute_ahead_in_a_copy_of_a_bundled_spec(tmp_path: Path):
    sandbox_url = f"http://127.0.0.1:{free_port()}"
    env = service_env(tmp_path, sandbox_url)
    at = post_minute(datetime.now(UTC))
    copy_bundled_spec(tmp_path / "specs", at=at)

    with processes(env, tmp_path / "logs") as group:
        run = group.start("run", [CAMPAIGNS, "run"])
        wait_for("the banner", lambda: STARTED in run.output(), timeout=90, output=group.output)
        ours = wait_for(
            "the day's first post on X and Facebook",
            lambda: first_posts(sandbox_url, expected=2),
            timeout=(at - datetime.now(UTC)).total_seconds() + 60,
            output=group.output,
        )
        health = wait_for(
            "a green /healthz", lambda: healthz(env["HEALTH_PORT"]), timeout=30, output=group.output
        )
        status = subprocess.run(
            [CAMPAIGNS, "status", "ssw-week"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{env['WEB_PORT']}/", timeout=10) as response:
            dashboard = (response.url, response.read().decode())  # redirected to the login page
        first_admin = subprocess.run(
            [CAMPAIGNS, "users", "add", "alex", "--role", "admin", "--password-stdin"],
            env=env,
            input="a long enough password\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        code, below = interrupt(group, run.pid)

    output = run.output()
    assert dashboard[0].endswith("/login?next=%2F") and 'name="password"' in dashboard[1]
    assert f"dashboard http://127.0.0.1:{env['WEB_PORT']}/" in output
    assert first_admin.returncode == 0 and "Added alex (admin)" in first_admin.stdout, first_admin.stderr
    assert sorted(p["platform"] for p in ours) == ["facebook", "x"], output
    assert all(datetime.fromisoformat(p["created_at"]) >= at for p in ours), "published before its time"
    shown = {line.split("│")[2].strip(): line for line in status.stdout.splitlines() if "│ ssw-week:" in line}
    slot = f"d1-{at:%H%M}"  # the id's slot: day 1 at the spec's local time
    for post_id in (f"ssw-week:{slot}:twitter", f"ssw-week:{slot}:facebook"):
        assert "│ published │" in shown.get(post_id, ""), status.stdout + status.stderr
    assert f"published ssw-week:{slot}:twitter as @SSWAlliance_demo" in output
    assert (
        f"sandbox   {sandbox_url}/" in output
        and f"health    http://127.0.0.1:{env['HEALTH_PORT']}/healthz" in output
    )
    assert [check["name"] for check in health["checks"]] == ["posts", "beat", "accounts", "workers"]
    assert (code, "Stopped." in output) == (0, True), output
    assert below and not [pid for pid in below if alive(pid)], "Ctrl-C left processes behind"


@pytest.mark.slow
def test_it_keeps_the_last_valid_schedule_when_a_spec_is_invalid(tmp_path: Path, sandbox: SandboxHandle):
    env = service_env(tmp_path, sandbox.url)  # a sandbox already runs there: the service uses it
    copy_bundled_spec(tmp_path / "specs", at=(datetime.now(UTC) + timedelta(days=1)).replace(second=0))
    for command in (["db", "upgrade"], ["apply"]):
        done = subprocess.run(
            [CAMPAIGNS, *command], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
    spec = tmp_path / "specs" / BUNDLED.name
    spec.write_text(spec.read_text(encoding="utf-8").replace("hashtags:", "hashtag:", 1), encoding="utf-8")

    with processes(env, tmp_path / "logs") as group:
        run = group.start("run", [CAMPAIGNS, "run"])
        wait_for("the banner", lambda: STARTED in run.output(), timeout=90, output=group.output)
        code, _ = interrupt(group, run.pid)

    output = run.output()
    assert re.search(rf"{re.escape(str(spec))}:\d+:\d+: error: unknown key 'hashtag'", output), output
    assert "the last valid schedule stays in force" in output
    assert re.search(r"schedule  1 campaign, \d+ posts upcoming; next: ssw-week:", output), output
    assert "(already running: not started here)" in output
    assert code == 0, output


@pytest.mark.slow
def test_it_stops_everything_and_says_so_when_the_worker_dies(tmp_path: Path):
    env = service_env(tmp_path, f"http://127.0.0.1:{free_port()}")
    (tmp_path / "specs").mkdir()

    with processes(env, tmp_path / "logs") as group:
        run = group.start("run", [CAMPAIGNS, "run"])
        wait_for("the banner", lambda: STARTED in run.output(), timeout=90, output=group.output)
        worker = wait_for(
            "the worker process",
            lambda: [
                pid for pid in children_of(run.pid) if b"celery" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ],
            timeout=30,
            output=group.output,
        )
        below = descendants(run.pid)
        os.kill(worker[0], signal.SIGKILL)
        code = run.popen.wait(timeout=60)

    output = run.output()
    assert code == 1, output
    assert "the Celery worker and beat stopped unexpectedly (exit code -9): stopping everything" in output
    assert not [pid for pid in below if alive(pid)], "the sandbox (or the pool) outlived the service"
