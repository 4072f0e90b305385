"""The sandbox's own side: ground truth, clock, accounts, reset, persistence, the page, the CLI."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import tweepy

from campaigns import demo_accounts
from sandbox.clients import graph_api, tweepy_client
from sandbox.testing import SandboxError, SandboxHandle, run_sandbox

PNG = b"\x89PNG\r\n\x1a\n" + b"\x07" * 32
ROOT = Path(__file__).resolve().parent.parent


def test_it_filters_the_ground_truth_by_platform_and_account(sandbox: SandboxHandle) -> None:
    sandbox.add_account(count=2)
    tweepy_client(sandbox.url).create_tweet(text="demo")
    tweepy_client(sandbox.url, 2).create_tweet(text="second")
    graph_api(sandbox.url).put_object(demo_accounts.FB_PAGE_ID, "feed", message="page")
    assert [p["text"] for p in sandbox.posts()] == ["demo", "second", "page"]
    assert [p["text"] for p in sandbox.posts(platform="x", account=demo_accounts.x_user_id(2))] == ["second"]
    assert [p["account"] for p in sandbox.posts(platform="facebook")] == [demo_accounts.FB_PAGE_NAME]


def test_it_sets_freezes_and_advances_the_clock(sandbox: SandboxHandle) -> None:
    when = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    sandbox.set_clock(when)
    assert sandbox.now() == when
    sandbox.advance(90)
    assert sandbox.now() == when + timedelta(seconds=90)
    tweepy_client(sandbox.url).create_tweet(text="at noon and a half")
    assert sandbox.posts()[0]["created_at"] == "2026-01-01T12:01:30.000Z"
    sandbox.real_time()
    assert abs(sandbox.now() - datetime.now(UTC)) < timedelta(minutes=1)


def test_it_refuses_a_naive_clock_time(sandbox: SandboxHandle) -> None:
    with pytest.raises(SandboxError, match="no timezone"):
        sandbox.call("POST", "/_sandbox/clock", {"now": "2026-01-01T12:00:00"})


def test_it_accepts_another_x_app_until_it_is_reset(sandbox: SandboxHandle) -> None:
    own = {"consumer_key": "own-key", "consumer_secret": "own-secret", "bearer_token": "own-bearer"}
    client = tweepy_client(sandbox.url, **own)
    with pytest.raises(tweepy.Unauthorized):
        client.get_me()

    sandbox.add_app(**own)

    assert client.get_me().data.username == demo_accounts.X_USERNAME  # signed with the new app's keys
    assert client.get_tweets(ids=["1"]).errors  # read with its bearer token: an answer, not a 401
    assert "own-key" in sandbox.call("GET", "/_sandbox/apps")["apps"]
    sandbox.reset()
    with pytest.raises(tweepy.Unauthorized):
        client.get_me()


def test_it_refuses_an_app_without_its_secret(sandbox: SandboxHandle) -> None:
    with pytest.raises(SandboxError, match="consumer_secret"):
        sandbox.call("POST", "/_sandbox/apps", {"consumer_key": "k"})


def test_it_adds_accounts_that_the_clients_can_use(sandbox: SandboxHandle) -> None:
    account = sandbox.add_account(platform="x", username="campaign_two", name="Campaign Two")
    client = tweepy_client(
        sandbox.url, access_token=account["access_token"], access_token_secret=account["access_token_secret"]
    )
    assert client.get_me().data.username == "campaign_two"
    page = sandbox.add_account(platform="facebook", name="Second Page")
    assert graph_api(sandbox.url, page["access_token"]).get_object("me")["name"] == "Second Page"
    with pytest.raises(SandboxError, match="exists already"):
        sandbox.add_account(platform="x", username="campaign_two")


def test_it_starts_with_a_family_of_extra_accounts() -> None:
    with run_sandbox(extra_accounts=100) as sandbox:
        assert tweepy_client(sandbox.url, 100).get_me().data.username == demo_accounts.x_username(100)
        assert graph_api(sandbox.url, demo_accounts.fb_page_token(100)).get_object("me")[
            "id"
        ] == demo_accounts.fb_page_id(100)
        sandbox.reset()
        assert tweepy_client(sandbox.url, 55).get_me().data.id == int(demo_accounts.x_user_id(55))


def test_it_resets_posts_accounts_faults_and_limits(sandbox: SandboxHandle) -> None:
    extra = sandbox.add_account(platform="x", username="temporary")
    tweepy_client(sandbox.url).create_tweet(text="to be forgotten")
    sandbox.add_fault(kind="error")
    sandbox.set_limits({"POST /2/tweets": 1})
    sandbox.reset()
    assert sandbox.posts() == [] and sandbox.faults() == []
    client = tweepy_client(sandbox.url)
    client.create_tweet(text="to be forgotten")
    client.create_tweet(text="a second one within the default limit")
    with pytest.raises(tweepy.Unauthorized):
        tweepy_client(
            sandbox.url, access_token=extra["access_token"], access_token_secret=extra["access_token_secret"]
        ).get_me()


def without_hosts(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Posts with media URLs cut to their path (each run has its own port)."""
    return [
        {**p, "media": [{**m, "url": m["url"].split("/_sandbox")[-1]} for m in p["media"]]} for p in posts
    ]


def test_it_keeps_its_state_in_a_sqlite_file_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.db"
    with run_sandbox(state_path=state) as sandbox:
        sandbox.add_account(platform="x", username="kept")
        x = tweepy_client(sandbox.url)
        first = x.create_tweet(text="Survives a restart").data["id"]
        x.create_tweet(text="and its reply", in_reply_to_tweet_id=first)
        graph_api(sandbox.url).put_photo(
            image=PNG,
            album_path=f"{demo_accounts.FB_PAGE_ID}/photos",
            message="kept too",
            alt_text_custom="a kept photo",
        )
        before = sandbox.posts()
    with run_sandbox(state_path=state) as sandbox:
        assert without_hosts(sandbox.posts()) == without_hosts(before)
        x = tweepy_client(sandbox.url)
        with pytest.raises(tweepy.Forbidden, match="duplicate"):
            x.create_tweet(text="Survives a restart")
        assert x.get_tweet(first).data.text == "Survives a restart"
        assert (
            requests.get(sandbox.posts(platform="facebook")[0]["media"][0]["url"], timeout=5).content == PNG
        )
        new_id = x.create_tweet(text="after the restart").data["id"]
        assert int(new_id) > int(first)
        assert [
            a["username"]
            for a in sandbox.call("GET", "/_sandbox/accounts")["accounts"]
            if a["platform"] == "x"
        ] == [demo_accounts.X_USERNAME, "kept"]


def test_it_shows_timelines_with_images_and_alt_text(sandbox: SandboxHandle) -> None:
    graph_api(sandbox.url).put_photo(
        image=PNG,
        album_path=f"{demo_accounts.FB_PAGE_ID}/photos",
        message="Team <photo>",
        alt_text_custom="Six smiling people",
    )
    tweet_id = tweepy_client(sandbox.url).create_tweet(text="Hello & welcome").data["id"]
    page = requests.get(sandbox.url + "/", timeout=5)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Hello &amp; welcome" in page.text and "Team &lt;photo&gt;" in page.text
    assert 'alt="Six smiling people"' in page.text
    assert f'id="post-{tweet_id}"' in page.text  # the adapters link to #post-<id>
    assert "@" + demo_accounts.X_USERNAME in page.text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_it_runs_as_a_command_with_a_hint_for_people(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "sandbox", "--port", str(port), "--state", str(tmp_path / "s.db")]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/clock", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        client = tweepy_client(f"http://127.0.0.1:{port}")
        assert client.get_me().data.username == demo_accounts.X_USERNAME
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in out
    assert demo_accounts.X_USERNAME in out and "campaigns/demo_accounts.py" in out
    assert "Traceback" not in err


def test_it_reports_a_busy_port_in_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sandbox", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode != 0
    assert result.stderr == (
        f"Error: cannot listen on 127.0.0.1:{port}: port {port} is in use; something else listens there, "
        f"or start this one on another port with --port (and set SANDBOX_URL=http://127.0.0.1:<that port> "
        "for the service)\n"
    )


def test_it_says_when_the_busy_port_is_a_running_sandbox(sandbox: SandboxHandle) -> None:
    """`make run` started a sandbox on 8765, then someone runs `campaigns sandbox`: one clear line."""
    port = int(sandbox.url.rsplit(":", 1)[1])
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--port", str(port)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: port {port} is in use; a sandbox already runs there "
        "(`campaigns run` and `make run` start one): use it, or start this one on another port with "
        f"--port (and set SANDBOX_URL=http://127.0.0.1:<that port> for the service)"
    ]
