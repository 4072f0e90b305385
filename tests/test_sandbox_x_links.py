"""The sandbox wraps links as X does: every URL (bare domains too) becomes a 23-character t.co link in
the stored text of every read route and of the create answer, with ``entities.urls`` giving the
expansion, and media add a trailing t.co link."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
import tweepy

from campaigns import demo_accounts as demo
from campaigns.text import tweet_length
from sandbox.clients import tweepy_client
from sandbox.testing import SandboxHandle
from sandbox.x_links import TCO, display_url

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEXT = "Day 1 of #SSWWeek: example.org/day1 and https://example.org/blog/ssw-week-day-1?utm=x"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def x(sandbox: SandboxHandle) -> tweepy.Client:
    sandbox.set_clock(START)
    return tweepy_client(sandbox.url)


def test_it_stores_every_url_as_a_tco_link_and_gives_the_expansion(x: tweepy.Client) -> None:
    created = x.create_tweet(text=TEXT).data
    stored = created["text"]
    assert "example.org" not in stored and stored.count(TCO) == 2
    assert tweet_length(stored) == tweet_length(TEXT)  # every URL weighs 23, and a t.co link is 23

    tweet = x.get_tweet(created["id"], tweet_fields=["entities"]).data
    assert tweet.text == stored
    urls = tweet.entities["urls"]
    assert [u["expanded_url"] for u in urls] == [
        "http://example.org/day1",
        "https://example.org/blog/ssw-week-day-1?utm=x",
    ]
    for u in urls:
        assert set(u) == {"start", "end", "url", "expanded_url", "display_url"}
        assert stored[u["start"] : u["end"]] == u["url"] and len(u["url"]) == 23
        assert u["display_url"] == display_url(u["expanded_url"])
    assert tweet.entities["hashtags"] == [{"start": 9, "end": 17, "tag": "SSWWeek"}]


def test_every_read_route_returns_the_wrapped_text(x: tweepy.Client) -> None:
    stored = x.create_tweet(text=TEXT).data["text"]
    by_ids = x.get_tweets([x.get_me().data.id], user_auth=True)  # an unknown id: errors only
    assert by_ids.data is None
    timeline = x.get_users_tweets(demo.X_USER_ID, user_auth=True).data
    found = x.search_recent_tweets("#SSWWeek", user_auth=True).data
    assert [t.text for t in timeline] == [stored]
    assert stored in [t.text for t in found] and TEXT not in [t.text for t in found]
    [tweet] = x.get_tweets([timeline[0].id], user_auth=True).data
    assert tweet.text == stored


def test_media_add_a_trailing_tco_link_with_its_media_key(x: tweepy.Client) -> None:
    body = {
        "media": base64.b64encode(PNG).decode(),
        "media_category": "tweet_image",
        "media_type": "image/png",
    }
    media_id = x.request("POST", "/2/media/upload", json=body, user_auth=True).json()["data"]["id"]
    created = x.create_tweet(text="See example.org/day1", media_ids=[media_id]).data

    tweet = x.get_tweet(created["id"], tweet_fields=["entities"]).data
    link, media = tweet.entities["urls"]
    assert created["text"] == tweet.text == f"See {link['url']} {media['url']}"
    assert media["media_key"] == f"3_{media_id}"
    assert media["expanded_url"].endswith(f"/status/{created['id']}/photo/1")
    assert media["display_url"].startswith("pic.x.com/")
