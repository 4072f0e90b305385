"""X API v2 in the sandbox, through the unmodified tweepy 4.17 client."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import requests
import tweepy
from requests_oauthlib import OAuth1

from campaigns import demo_accounts
from sandbox.clients import tweepy_client
from sandbox.testing import SandboxHandle

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MS_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
METRICS = {"retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count"}


@pytest.fixture
def x(sandbox: SandboxHandle) -> tweepy.Client:
    sandbox.set_clock(START)
    return tweepy_client(sandbox.url)


def test_it_creates_reads_and_deletes_a_tweet(sandbox: SandboxHandle, x: tweepy.Client) -> None:
    created = x.create_tweet(text="Hello from the sandbox")
    assert set(created.data) == {"id", "text", "edit_history_tweet_ids"}
    assert created.data["edit_history_tweet_ids"] == [created.data["id"]]
    assert created.data["id"].isdigit()

    fetched = x.get_tweet(created.data["id"], tweet_fields=["created_at", "public_metrics", "author_id"])
    assert fetched.data.text == "Hello from the sandbox"
    assert fetched.data.author_id == int(demo_accounts.X_USER_ID)
    assert fetched.data.created_at == START
    assert set(fetched.data.public_metrics) == METRICS
    assert MS_TIMESTAMP.match(fetched.data.data["created_at"])

    assert x.delete_tweet(created.data["id"]).data == {"deleted": True}
    gone = x.get_tweet(created.data["id"])
    assert gone.data is None
    assert gone.errors[0]["type"].endswith("/problems/resource-not-found")
    assert sandbox.posts()[0]["deleted_at"] is not None


def test_it_answers_create_with_201(sandbox: SandboxHandle, x: tweepy.Client) -> None:
    response = x.request("POST", "/2/tweets", json={"text": "status check"}, user_auth=True)
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")


def test_it_threads_replies_under_the_first_tweet(sandbox: SandboxHandle, x: tweepy.Client) -> None:
    first = x.create_tweet(text="1/3 A thread").data["id"]
    second = x.create_tweet(text="2/3 goes on", in_reply_to_tweet_id=first).data["id"]
    third = x.create_tweet(text="3/3 and ends", in_reply_to_tweet_id=second).data["id"]

    fields = ["conversation_id", "in_reply_to_user_id", "referenced_tweets"]
    last = x.get_tweet(third, tweet_fields=fields).data
    assert last.conversation_id == int(first)
    assert last.in_reply_to_user_id == int(demo_accounts.X_USER_ID)
    assert [(r.type, r.id) for r in last.referenced_tweets] == [("replied_to", int(second))]
    assert [(p["id"], p["in_reply_to"]) for p in sandbox.posts()] == [
        (first, None),
        (second, first),
        (third, second),
    ]


def test_it_refuses_a_reply_to_a_missing_tweet(x: tweepy.Client) -> None:
    with pytest.raises(tweepy.Forbidden, match="deleted or not visible"):
        x.create_tweet(text="hello?", in_reply_to_tweet_id="1234567890")


def test_it_looks_up_many_tweets_and_reports_missing_ones_with_200(x: tweepy.Client) -> None:
    ids = [x.create_tweet(text=f"post {i}").data["id"] for i in range(3)]
    response = x.request("GET", "/2/tweets", params={"ids": ",".join([*ids, "99"])})
    assert response.status_code == 200
    body = response.json()
    assert [t["id"] for t in body["data"]] == ids
    assert body["errors"] == [
        {
            "value": "99",
            "detail": "Could not find tweet with id: [99].",
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "id",
            "resource_id": "99",
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        }
    ]


def test_it_refuses_more_than_100_ids(x: tweepy.Client) -> None:
    with pytest.raises(tweepy.BadRequest):
        x.get_tweets([str(i) for i in range(1, 102)])


def test_it_returns_the_authenticated_user_with_a_name(x: tweepy.Client) -> None:
    me = x.get_me(user_fields=["public_metrics"])
    assert (me.data.id, me.data.username, me.data.name) == (
        int(demo_accounts.X_USER_ID),
        demo_accounts.X_USERNAME,
        demo_accounts.X_NAME,
    )
    assert me.data.public_metrics["followers_count"] > 0


def test_it_pages_a_users_tweets_with_pagination_token(sandbox: SandboxHandle, x: tweepy.Client) -> None:
    ids = []
    for i in range(23):
        ids.append(x.create_tweet(text=f"timeline post {i}").data["id"])
        sandbox.advance(60)
    pages = list(tweepy.Paginator(x.get_users_tweets, demo_accounts.X_USER_ID, max_results=10))
    assert [p.meta["result_count"] for p in pages] == [10, 10, 3]
    assert [t.id for p in pages for t in p.data] == [int(i) for i in reversed(ids)]
    assert "next_token" not in pages[-1].meta
    newer = x.get_users_tweets(demo_accounts.X_USER_ID, since_id=ids[20], max_results=5)
    assert [t.id for t in newer.data] == [int(ids[22]), int(ids[21])]


def test_it_searches_recent_tweets_with_since_id_and_next_token(
    sandbox: SandboxHandle, x: tweepy.Client
) -> None:
    ours = x.create_tweet(text="Social Service Workforce Week begins #SSWWeek").data["id"]
    sandbox.advance(2 * 86400)
    found = list(
        tweepy.Paginator(
            x.search_recent_tweets,
            "#sswweek -is:retweet",
            tweet_fields=["public_metrics", "created_at"],
            expansions=["author_id"],
            max_results=10,
        )
    )
    tweets = [t for page in found for t in page.data]
    assert len(found) > 1  # chatter by other accounts fills several pages
    assert int(ours) in {t.id for t in tweets}
    assert all("#sswweek" in t.text.lower() and not t.text.startswith("RT @") for t in tweets)
    assert [t.id for t in tweets] == sorted((t.id for t in tweets), reverse=True)
    users = {u.id: u for page in found for u in page.includes["users"]}
    assert all(t.author_id in users and users[t.author_id].name for t in tweets)

    newest = tweets[0].id
    sandbox.advance(3600)
    later = x.search_recent_tweets("#sswweek", since_id=newest, max_results=100)
    assert later.data is not None
    assert all(t.id > newest for t in later.data)


def test_it_returns_no_data_for_an_empty_search(x: tweepy.Client) -> None:
    response = x.search_recent_tweets("#nobodyusesthis")
    assert response.data is None
    assert response.meta == {"result_count": 0}


def test_it_refuses_an_unknown_search_operator(x: tweepy.Client) -> None:
    with pytest.raises(tweepy.BadRequest, match="invalid operator"):
        x.search_recent_tweets("#tag frobnicate:yes")


def test_it_refuses_a_tweet_over_280_weighted_characters(x: tweepy.Client) -> None:
    x.create_tweet(text="字" * 140)  # CJK counts double: exactly 280
    with pytest.raises(tweepy.BadRequest, match="text is too long") as refused:
        x.create_tweet(text="字" * 141)
    assert refused.value.response.json()["status"] == 400
    x.create_tweet(text="a" * 256 + " https://example.org/" + "x" * 200)  # the URL counts 23


def test_it_refuses_duplicate_content_within_24_hours_with_the_real_403(
    sandbox: SandboxHandle, x: tweepy.Client
) -> None:
    x.create_tweet(text="Same words twice")
    with pytest.raises(tweepy.Forbidden) as refused:
        x.create_tweet(text="Same words twice")
    assert refused.value.response.json() == {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    assert refused.value.api_messages == ["You are not allowed to create a Tweet with duplicate content."]
    sandbox.advance(24 * 3600 + 1)
    assert x.create_tweet(text="Same words twice").data["text"] == "Same words twice"


def test_it_rate_limits_tweets_per_user_with_headers_and_the_real_429(sandbox: SandboxHandle) -> None:
    sandbox.add_account(count=1)
    sandbox.set_clock(START)
    sandbox.set_limits({"POST /2/tweets": 3})
    x, other = tweepy_client(sandbox.url), tweepy_client(sandbox.url, 1)
    remaining = []
    for i in range(3):
        response = x.request("POST", "/2/tweets", json={"text": f"n{i}"}, user_auth=True)
        remaining.append(response.headers["x-rate-limit-remaining"])
    assert remaining == ["2", "1", "0"]
    with pytest.raises(tweepy.TooManyRequests) as refused:
        x.create_tweet(text="one too many")
    headers = refused.value.response.headers
    assert (headers["x-rate-limit-limit"], headers["x-rate-limit-remaining"]) == ("3", "0")
    assert refused.value.reset_time == int(START.timestamp()) + 900
    assert refused.value.response.json() == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    other.create_tweet(text="another user has their own window")
    sandbox.advance(900)
    x.create_tweet(text="a new window")


def test_it_sends_rate_limit_headers_on_every_reply(sandbox: SandboxHandle) -> None:
    for path in ("/2/users/me", "/2/no/such/route"):
        response = requests.get(sandbox.url + path, timeout=5)
        assert response.status_code in (401, 404)
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(response.headers)
        assert response.json()["status"] == response.status_code


def test_it_answers_bad_requests_in_the_platform_shape(x: tweepy.Client) -> None:
    with pytest.raises(tweepy.BadRequest) as bad_field:
        x.get_tweet("1", tweet_fields=["nonsense"])
    assert bad_field.value.response.json()["errors"][0]["parameters"] == {"tweet.fields": ["nonsense"]}
    signer = OAuth1(
        demo_accounts.X_CONSUMER_KEY,
        demo_accounts.X_CONSUMER_SECRET,
        demo_accounts.X_ACCESS_TOKEN,
        demo_accounts.X_ACCESS_TOKEN_SECRET,
    )
    response = x.session.post(
        "https://api.twitter.com/2/tweets",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        auth=signer,
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/problems/invalid-request")


def test_it_excludes_replies_from_a_timeline_on_request(x: tweepy.Client) -> None:
    first = x.create_tweet(text="top").data["id"]
    x.create_tweet(text="reply", in_reply_to_tweet_id=first)
    timeline = x.get_users_tweets(demo_accounts.X_USER_ID, exclude=["replies"])
    assert [t.text for t in timeline.data] == ["top"]


def test_it_renders_hashtag_entities_and_media_expansions(x: tweepy.Client) -> None:
    post = x.create_tweet(text="Join #SSWWeek today").data["id"]
    tweet = x.get_tweet(post, tweet_fields=["entities"]).data
    assert tweet.entities["hashtags"] == [{"start": 5, "end": 13, "tag": "SSWWeek"}]
    assert x.get_tweet(post, expansions=["attachments.media_keys"]).includes == {}


def test_it_validates_nested_fields_instead_of_failing(x: tweepy.Client) -> None:
    for body in (
        {"text": "x", "media": "not an object"},
        {"text": "x", "media": {"media_ids": "1"}},
        {"text": 5},
    ):
        with pytest.raises(tweepy.BadRequest):
            x.request("POST", "/2/tweets", json=body, user_auth=True)


def test_it_answers_an_internal_error_in_the_platform_shape(
    sandbox: SandboxHandle, x: tweepy.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the sandbox")

    monkeypatch.setattr(sandbox.state.store, "new_post", broken)
    with pytest.raises(tweepy.TwitterServerError) as failed:
        x.create_tweet(text="meets a bug")
    body = failed.value.response.json()
    assert body == {
        "title": "Internal Server Error",
        "detail": "Internal Server Error",
        "type": "about:blank",
        "status": 500,
    }
    assert "Traceback" not in failed.value.response.text
