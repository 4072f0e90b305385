"""The X adapter against the sandbox over real HTTP, through the unmodified tweepy client."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tweepy

from campaigns import demo_accounts
from campaigns.account_config import sandbox_account
from campaigns.platforms import MediaFile, Platform, RejectedPost, platform_for
from campaigns.platforms.http import RoutingAdapter
from sandbox.testing import SandboxHandle

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def x(sandbox: SandboxHandle) -> Platform:
    return platform_for(sandbox_account("twitter", "default", sandbox_url=sandbox.url), timeout=10)


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    return path


def a_minute_ago() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


def test_it_publishes_a_text_post(x: Platform, sandbox: SandboxHandle) -> None:
    post = x.publish("Day 1: thank you, social workers! #SSW")
    [truth] = sandbox.posts(platform="x")
    assert (truth["id"], truth["text"], truth["account"]) == (post.id, post.text, demo_accounts.X_USERNAME)
    assert post.created_at.tzinfo is not None and post.url.endswith(post.id)


def test_it_appends_a_link_the_text_does_not_carry(x: Platform, sandbox: SandboxHandle) -> None:
    x.publish("Read the report", link="https://example.org/report")
    assert sandbox.posts(platform="x")[0]["text"] == "Read the report https://example.org/report"


def test_it_publishes_an_image_with_its_alt_text(x: Platform, sandbox: SandboxHandle, image: Path) -> None:
    x.publish("Our team", media=[MediaFile(image, "Five caseworkers smiling outside the office")])
    [truth] = sandbox.posts(platform="x")
    assert [(m["type"], m["alt_text"]) for m in truth["media"]] == [
        ("image/png", "Five caseworkers smiling outside the office")
    ]


def test_it_refuses_a_file_that_is_not_an_image(x: Platform, sandbox: SandboxHandle, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    with pytest.raises(RejectedPost, match=r"notes\.txt: not an image"):
        x.publish("Our team", media=[MediaFile(notes, "notes")])
    assert sandbox.posts() == []


def test_it_publishes_a_thread_part_by_part(x: Platform, sandbox: SandboxHandle) -> None:
    first = x.publish("1/3 Why social service workers matter")
    second = x.publish("2/3 They keep families together", reply_to=first.id)
    third = x.publish("3/3 Thank one today", reply_to=second.id)
    chain = [(p["id"], p["in_reply_to"]) for p in sandbox.posts(platform="x")]
    assert chain == [(first.id, None), (second.id, first.id), (third.id, second.id)]


def test_it_finds_a_published_post_by_its_text(x: Platform) -> None:
    since = a_minute_ago()
    x.publish("Unrelated earlier post")
    post = x.publish("Read   the report https://example.org/reports/2025?utm=x #SSW")
    [found] = x.find_candidates("Read the report https://example.org/reports/2025?utm=x #SSW", since=since)
    assert found.id == post.id


def test_it_finds_a_thread_part_only_under_its_parent(x: Platform) -> None:
    since = a_minute_ago()
    first = x.publish("1/2 Start")
    second = x.publish("2/2 End", reply_to=first.id)
    [found] = x.find_candidates("2/2 End", since=since, reply_to=first.id)
    assert found.id == second.id
    assert x.find_candidates("2/2 End", since=since, reply_to=second.id) == []


def test_it_finds_nothing_published_before_since(x: Platform) -> None:
    x.publish("An old post")
    assert x.find_candidates("An old post", since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert x.find_candidates("A post never made", since=a_minute_ago()) == []


def test_it_reads_metrics_leaving_out_deleted_posts(x: Platform, sandbox: SandboxHandle) -> None:
    kept, gone = x.publish("Metrics please"), x.publish("Soon deleted")
    sandbox.set_clock(datetime.now(UTC) + timedelta(days=2))
    _delete_tweet(sandbox, gone.id)
    metrics = x.metrics([kept.id, gone.id])
    assert list(metrics) == [kept.id]
    m = metrics[kept.id]
    assert m.impressions is not None and m.impressions > 0
    assert m.raw["like_count"] == m.likes and m.raw["retweet_count"] == m.reposts


def _delete_tweet(sandbox: SandboxHandle, tweet_id: str) -> None:
    """The service never deletes posts: a plain tweepy client plays the person who does."""
    client = tweepy.Client(
        consumer_key=demo_accounts.X_CONSUMER_KEY,
        consumer_secret=demo_accounts.X_CONSUMER_SECRET,
        access_token=demo_accounts.X_ACCESS_TOKEN,
        access_token_secret=demo_accounts.X_ACCESS_TOKEN_SECRET,
    )
    client.session.mount("https://api.twitter.com/", RoutingAdapter(sandbox.url, timeout=10))
    client.delete_tweet(tweet_id)


def test_it_searches_a_hashtag_after_a_given_id(x: Platform, sandbox: SandboxHandle) -> None:
    x.publish("Social Service Workforce Week starts today #SSW")  # others join in from then on
    sandbox.set_clock(datetime.now(UTC) + timedelta(days=1))
    everything = x.search_hashtag("#SSW", limit=1000)
    assert everything and all("#ssw" in p.text.lower() for p in everything)
    assert [p.created_at for p in everything] == sorted((p.created_at for p in everything), reverse=True)
    newer = x.search_hashtag("SSW", since_id=everything[3].id, limit=1000)
    assert [p.id for p in newer] == [p.id for p in everything[:3]]


def test_it_checks_who_the_credentials_belong_to(x: Platform) -> None:
    status = x.check()
    assert (status.handle, status.user_id) == (f"@{demo_accounts.X_USERNAME}", demo_accounts.X_USER_ID)


def test_it_exposes_the_rate_limit_left_after_a_post(x: Platform) -> None:
    x.publish("Counting")
    limit = x.rate_limit("POST", "/2/tweets")
    assert limit is not None and limit.limit is not None and limit.remaining == limit.limit - 1
    assert limit.reset_at is not None and limit.reset_at > datetime.now(UTC)
