"""Fault injection, each kind observed from the client's side."""

from __future__ import annotations

import time

import facebook
import pytest
import requests
import tweepy

from campaigns import demo_accounts
from sandbox.clients import graph_api, tweepy_client
from sandbox.testing import SandboxError, SandboxHandle


def test_it_hangs_until_the_client_times_out(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="hang", method="POST", path="/2/tweets")
    with pytest.raises(requests.exceptions.ReadTimeout):
        tweepy_client(sandbox.url, timeout=0.5).create_tweet(text="into the void")
    assert sandbox.posts() == []
    assert sandbox.faults()[0]["fired"] == 1


def test_it_stores_the_post_then_cuts_the_connection(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="cut", method="POST", path="/2/tweets", times=1)
    client = tweepy_client(sandbox.url)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.create_tweet(text="Did this go out?")
    assert [p["text"] for p in sandbox.posts()] == ["Did this go out?"]
    with pytest.raises(tweepy.Forbidden, match="duplicate content"):  # a blind retry meets the duplicate rule
        client.create_tweet(text="Did this go out?")


def test_it_cuts_a_graph_post_after_storing_it(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="cut", platform="facebook", method="POST", path="/*/feed")
    with pytest.raises(requests.exceptions.ConnectionError):
        graph_api(sandbox.url).put_object(demo_accounts.FB_PAGE_ID, "feed", message="Half-delivered")
    assert [p["text"] for p in sandbox.posts(platform="facebook")] == ["Half-delivered"]


def test_it_answers_a_429_storm_then_recovers(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="rate_limit", platform="x", times=2)
    client = tweepy_client(sandbox.url)
    for _ in range(2):
        with pytest.raises(tweepy.TooManyRequests) as storm:
            client.create_tweet(text="patience")
        assert storm.value.response.headers["x-rate-limit-remaining"] == "0"
        assert storm.value.reset_time is not None
    assert client.create_tweet(text="patience").data["text"] == "patience"


@pytest.mark.parametrize(("reset_in", "low", "high"), [(None, 14 * 60, 15 * 60 + 1), (20, 19, 21)])
def test_a_429_storms_window_resets_after_reset_in_seconds_or_xs_15_minutes(
    sandbox: SandboxHandle, reset_in: int | None, low: int, high: int
) -> None:
    """A short reset lets a short fault run see the held posts go out; the default is X's window."""
    sandbox.add_fault(
        kind="rate_limit", platform="x", times=1, **({"reset_in": reset_in} if reset_in else {})
    )
    with pytest.raises(tweepy.TooManyRequests) as storm:
        tweepy_client(sandbox.url).create_tweet(text="patience")
    assert low <= storm.value.reset_time - time.time() <= high


def test_a_graph_rate_limits_reset_in_is_whole_minutes(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="rate_limit", platform="facebook", times=1, reset_in=20)
    response = requests.post(
        f"{sandbox.url}/v23.0/{demo_accounts.FB_PAGE_ID}/feed",
        data={"message": "patience", "access_token": demo_accounts.FB_PAGE_TOKEN},
        timeout=5,
    )
    assert response.json()["error"]["code"] == 32
    assert '"estimated_time_to_regain_access":1}' in response.headers["X-Business-Use-Case-Usage"]


def test_a_reset_in_must_be_positive(sandbox: SandboxHandle) -> None:
    with pytest.raises(SandboxError, match="reset_in must be a positive number"):
        sandbox.add_fault(kind="rate_limit", platform="x", reset_in=0)


@pytest.mark.parametrize("code", [4, 17, 32])
def test_it_answers_graph_rate_limit_errors_with_usage_headers(sandbox: SandboxHandle, code: int) -> None:
    sandbox.add_fault(kind="rate_limit", platform="facebook", code=code, times=1)
    response = requests.get(f"{sandbox.url}/v23.0/me?access_token={demo_accounts.FB_PAGE_TOKEN}", timeout=5)
    assert response.json()["error"]["code"] == code
    assert '"call_count":100' in response.headers["X-App-Usage"]
    assert '"estimated_time_to_regain_access"' in response.headers["X-Business-Use-Case-Usage"]
    assert requests.get(f"{sandbox.url}/v23.0/me?access_token={demo_accounts.FB_PAGE_TOKEN}", timeout=5).ok


@pytest.mark.parametrize("status", [500, 503])
def test_it_answers_server_errors_in_the_platform_shape(sandbox: SandboxHandle, status: int) -> None:
    sandbox.add_fault(kind="error", status=status, times=2)
    with pytest.raises(tweepy.TwitterServerError) as x_error:
        tweepy_client(sandbox.url).create_tweet(text="soon")
    assert x_error.value.response.json()["status"] == status
    with pytest.raises(facebook.GraphAPIError) as graph_error:
        graph_api(sandbox.url).get_object("me")
    assert graph_error.value.code in (1, 2)
    assert sandbox.posts() == []


def outcomes(sandbox: SandboxHandle, run: int) -> list[bool]:
    client = tweepy_client(sandbox.url)
    result = []
    for i in range(20):
        try:
            client.create_tweet(text=f"run {run} post {i}")
            result.append(True)
        except tweepy.TwitterServerError:
            result.append(False)
    return result


def test_it_fails_at_a_seeded_rate_the_same_way_each_time(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="error", status=503, probability=0.5)
    first = outcomes(sandbox, 1)
    sandbox.clear_faults()
    sandbox.add_fault(kind="error", status=503, probability=0.5)
    assert outcomes(sandbox, 2) == first
    assert set(first) == {True, False}  # both outcomes occur at this rate


def test_it_revokes_one_accounts_token_only(sandbox: SandboxHandle) -> None:
    sandbox.add_account(count=1)
    sandbox.add_fault(kind="revoke", account=demo_accounts.X_USERNAME)
    sandbox.add_fault(kind="revoke", account=demo_accounts.FB_PAGE_ID)
    with pytest.raises(tweepy.Unauthorized):
        tweepy_client(sandbox.url).create_tweet(text="revoked")
    tweepy_client(sandbox.url, 1).create_tweet(text="still fine")
    with pytest.raises(facebook.GraphAPIError) as revoked:
        graph_api(sandbox.url).get_object("me")
    assert revoked.value.code == 190
    assert revoked.value.result["error"]["error_subcode"] == 460
    assert graph_api(sandbox.url, demo_accounts.fb_page_token(1)).get_object("me")[
        "id"
    ] == demo_accounts.fb_page_id(1)


def test_it_adds_latency_and_still_answers(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="latency", seconds=0.05, path="/2/users/me")
    assert tweepy_client(sandbox.url).get_me().data.username == demo_accounts.X_USERNAME
    assert sandbox.faults()[0]["fired"] == 1


def test_it_scopes_faults_by_method_and_path(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="error", method="DELETE", path="/2/tweets/*")
    client = tweepy_client(sandbox.url)
    tweet_id = client.create_tweet(text="can be posted").data["id"]
    with pytest.raises(tweepy.TwitterServerError):
        client.delete_tweet(tweet_id)


def test_it_refuses_a_bad_fault_spec(sandbox: SandboxHandle) -> None:
    with pytest.raises(SandboxError, match="kind must be one of"):
        sandbox.add_fault(kind="explode")
    with pytest.raises(SandboxError, match="unknown fault field"):
        sandbox.add_fault(kind="error", route="/2/tweets")


def test_it_clears_faults_with_one_call(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="error")
    sandbox.add_fault(kind="revoke")
    sandbox.clear_faults()
    assert sandbox.faults() == []
    assert tweepy_client(sandbox.url).create_tweet(text="all clear").data["text"] == "all clear"


def test_it_keeps_graph_form_fields_when_a_fault_reads_the_body_first(sandbox: SandboxHandle) -> None:
    sandbox.add_fault(kind="latency", platform="facebook", account=demo_accounts.FB_PAGE_ID)
    created = graph_api(sandbox.url).put_object(demo_accounts.FB_PAGE_ID, "feed", message="Token still read")
    assert created["id"].startswith(demo_accounts.FB_PAGE_ID)
    assert sandbox.faults()[0]["fired"] == 1
