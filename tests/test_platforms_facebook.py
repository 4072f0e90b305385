"""The Facebook adapter against the sandbox over real HTTP, through the unmodified facebook-sdk."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from campaigns import demo_accounts
from campaigns.account_config import FacebookCredentials, sandbox_account
from campaigns.platforms import CredentialsRejected, MediaFile, Platform, RejectedPost, platform_for
from sandbox.testing import SandboxHandle

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def fb(sandbox: SandboxHandle) -> Platform:
    return platform_for(sandbox_account("facebook", "default", sandbox_url=sandbox.url), timeout=10)


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    return path


def a_minute_ago() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


def test_it_publishes_a_text_post_with_its_link(fb: Platform, sandbox: SandboxHandle) -> None:
    post = fb.publish("Read the report", link="https://example.org/report")
    [truth] = sandbox.posts(platform="facebook")
    assert (truth["id"], truth["text"], truth["link"]) == (
        post.id,
        "Read the report",
        "https://example.org/report",
    )
    assert truth["account_id"] == demo_accounts.FB_PAGE_ID and post.id.startswith(
        f"{demo_accounts.FB_PAGE_ID}_"
    )


def test_it_publishes_a_photo_post_with_its_alt_text(
    fb: Platform, sandbox: SandboxHandle, image: Path
) -> None:
    post = fb.publish("Our team", media=[MediaFile(image, "Five caseworkers smiling outside the office")])
    [truth] = sandbox.posts(platform="facebook")
    assert truth["id"] == post.id  # the post, not the photo: metrics are read on the post
    assert [(m["type"], m["alt_text"]) for m in truth["media"]] == [
        ("image/png", "Five caseworkers smiling outside the office")
    ]


def test_it_refuses_more_than_one_image(fb: Platform, sandbox: SandboxHandle, image: Path) -> None:
    with pytest.raises(RejectedPost, match="at most one image"):
        fb.publish("Two", media=[MediaFile(image, "a"), MediaFile(image, "b")])
    assert sandbox.posts() == []


def test_it_refuses_a_thread_part(fb: Platform, sandbox: SandboxHandle) -> None:
    first = fb.publish("1/2 Start")
    with pytest.raises(RejectedPost, match="no threads"):
        fb.publish("2/2 End", reply_to=first.id)
    assert fb.find_candidates("1/2 Start", since=a_minute_ago(), reply_to=first.id) == []
    assert len(sandbox.posts()) == 1


def test_it_finds_a_published_post_by_its_text(fb: Platform) -> None:
    since = a_minute_ago()
    fb.publish("Unrelated earlier post")
    post = fb.publish("Day 3:\n\nmeet  the team", link="https://example.org/team")
    [found] = fb.find_candidates("Day 3: meet the team", since=since, link="https://example.org/team")
    assert found.id == post.id


def test_it_finds_a_photo_post_whose_caption_carries_the_link(fb: Platform, image: Path) -> None:
    since = a_minute_ago()
    post = fb.publish("Our team", media=[MediaFile(image, "alt")], link="https://example.org/team")
    [found] = fb.find_candidates("Our team", since=since, link="https://example.org/team")
    assert found.id == post.id


def test_it_finds_nothing_published_before_since(fb: Platform) -> None:
    fb.publish("An old post")
    assert fb.find_candidates("An old post", since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert fb.find_candidates("A post never made", since=a_minute_ago()) == []


def test_it_reads_reactions_comments_shares_and_views(fb: Platform, sandbox: SandboxHandle) -> None:
    post = fb.publish("Metrics please #SSW")
    sandbox.set_clock(datetime.now(UTC) + timedelta(days=3))
    metrics = fb.metrics([post.id, f"{demo_accounts.FB_PAGE_ID}_999"])
    assert list(metrics) == [post.id]  # an unknown post is left out
    m = metrics[post.id]
    assert m.impressions is not None and m.impressions > 0 and m.likes > 0
    assert m.raw["reactions"]["summary"]["total_count"] == m.likes
    assert m.reposts == m.raw.get("shares", {}).get("count", 0)  # absent when nobody shared
    assert (m.quotes, m.bookmarks) == (None, None)


def test_it_searches_the_pages_own_posts_for_a_hashtag(fb: Platform) -> None:
    first = fb.publish("Week starts #SSW")
    fb.publish("Nothing to see")
    fb.publish("Not the tag #SSWeek")
    last = fb.publish("Day 2 #ssw")
    assert [p.id for p in fb.search_hashtag("#SSW")] == [last.id, first.id]
    assert [p.id for p in fb.search_hashtag("SSW", since_id=first.id)] == [last.id]


def test_it_checks_the_page_token(fb: Platform) -> None:
    status = fb.check()
    assert (status.user_id, status.name) == (demo_accounts.FB_PAGE_ID, demo_accounts.FB_PAGE_NAME)


def test_it_rejects_a_token_of_another_page(sandbox: SandboxHandle) -> None:
    other = sandbox.add_account(platform="facebook", name="Other Page")
    credentials = FacebookCredentials(
        page_id=demo_accounts.FB_PAGE_ID, page_token=SecretStr(other["access_token"])
    )
    fb = platform_for(sandbox_account("facebook", "mixed", sandbox_url=sandbox.url, credentials=credentials))
    with pytest.raises(CredentialsRejected, match="not a Page token for Page"):
        fb.check()
