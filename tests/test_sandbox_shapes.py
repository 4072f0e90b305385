"""Raw JSON bodies of the sandbox checked against the reference's shapes (keys and types)."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from campaigns import demo_accounts
from sandbox.clients import graph_api, tweepy_client
from sandbox.testing import SandboxHandle

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_it_shapes_search_and_timeline_replies_like_x(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(START)
    x = tweepy_client(sandbox.url)
    x.create_tweet(text="Shape check #ShapeTag")
    sandbox.advance(86400)
    params = {
        "query": "#shapetag -is:retweet",
        "tweet.fields": "public_metrics,created_at",
        "expansions": "author_id",
        "max_results": "10",
    }
    body = x.request("GET", "/2/tweets/search/recent", params=params).json()
    assert set(body) == {"data", "includes", "meta"}
    assert set(body["meta"]) == {"newest_id", "oldest_id", "result_count", "next_token"}
    tweet = body["data"][0]
    assert set(tweet) == {"id", "text", "edit_history_tweet_ids", "author_id", "created_at", "public_metrics"}
    assert all(isinstance(v, int) for v in tweet["public_metrics"].values())
    assert all({"id", "name", "username"} <= set(u) for u in body["includes"]["users"])
    assert all(isinstance(t["id"], str) for t in body["data"])

    timeline = x.request(
        "GET", f"/2/users/{demo_accounts.X_USER_ID}/tweets", params={"max_results": "5"}
    ).json()
    assert set(timeline["meta"]) == {"newest_id", "oldest_id", "result_count"}
    assert timeline["data"][0]["text"] == "Shape check #ShapeTag"


def test_it_shapes_graph_errors_like_meta(sandbox: SandboxHandle) -> None:
    error = requests.get(f"{sandbox.url}/v23.0/me?access_token=bad", timeout=5).json()["error"]
    assert set(error) == {"message", "type", "code", "fbtrace_id"}
    assert (error["type"], error["code"]) == ("OAuthException", 190)
    graph = graph_api(sandbox.url)
    graph.put_object(demo_accounts.FB_PAGE_ID, "feed", message="twice")
    duplicate = requests.post(
        f"{sandbox.url}/v23.0/{demo_accounts.FB_PAGE_ID}/feed",
        data={"message": "twice", "access_token": demo_accounts.FB_PAGE_TOKEN},
        timeout=5,
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["code"] == 506
    assert duplicate.json()["error"]["error_subcode"] == 1455006


def test_it_shapes_insights_like_meta(sandbox: SandboxHandle) -> None:
    graph = graph_api(sandbox.url)
    post_id = graph.put_object(demo_accounts.FB_PAGE_ID, "feed", message="insight shape")["id"]
    [metric] = graph.get_connections(post_id, "insights", metric="post_clicks")["data"]
    assert set(metric) == {"name", "period", "values", "title", "description", "id"}
    assert metric["id"] == f"{post_id}/insights/post_clicks/lifetime"
    assert isinstance(metric["values"][0]["value"], int)
