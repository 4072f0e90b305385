"""The Graph API for Pages in the sandbox, through the unmodified facebook-sdk 3.1.0 client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import facebook
import pytest
import requests

from campaigns import demo_accounts
from sandbox.clients import graph_api
from sandbox.testing import SandboxHandle, run_sandbox

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PAGE = demo_accounts.FB_PAGE_ID


@pytest.fixture
def graph(sandbox: SandboxHandle) -> facebook.GraphAPI:
    sandbox.set_clock(START)
    return graph_api(sandbox.url)


def error_of(exc: pytest.ExceptionInfo[facebook.GraphAPIError]) -> dict[str, object]:
    result = exc.value.result
    assert isinstance(result, dict)
    error: dict[str, object] = result["error"]
    return error


def test_it_returns_the_page_for_me_and_by_id(graph: facebook.GraphAPI) -> None:
    assert graph.get_object("me") == {"name": demo_accounts.FB_PAGE_NAME, "id": PAGE}
    page = graph.get_object(PAGE, fields="name,fan_count,followers_count,link")
    assert page["name"] == demo_accounts.FB_PAGE_NAME
    assert isinstance(page["fan_count"], int)


def test_it_publishes_to_the_feed_and_reads_the_post(
    sandbox: SandboxHandle, graph: facebook.GraphAPI
) -> None:
    created = graph.put_object(PAGE, "feed", message="Hello #SSWWeek", link="https://example.org/week")
    assert created["id"].startswith(f"{PAGE}_")
    post = graph.get_object(created["id"], fields="message,created_time,permalink_url,from,status_type")
    assert post["message"] == "Hello #SSWWeek"
    assert post["created_time"] == "2026-03-02T09:00:00+0000"
    assert post["from"] == {"name": demo_accounts.FB_PAGE_NAME, "id": PAGE}
    assert post["status_type"] == "shared_story"
    truth = sandbox.posts(platform="facebook")
    assert [(p["id"], p["text"], p["link"]) for p in truth] == [
        (created["id"], "Hello #SSWWeek", "https://example.org/week")
    ]


def test_it_reports_reactions_comments_and_shares_as_the_graph_api_does(
    sandbox: SandboxHandle, graph: facebook.GraphAPI
) -> None:
    post_id = graph.put_object(PAGE, "feed", message="Counting reactions")["id"]
    fields = "reactions.summary(true),comments.summary(true),shares"
    fresh = graph.get_object(post_id, fields=fields)
    assert fresh["reactions"] == {"data": [], "summary": {"total_count": 0, "viewer_reaction": "NONE"}}
    assert fresh["comments"]["summary"]["total_count"] == 0
    assert "shares" not in fresh  # absent, not zero, when nobody shared
    sandbox.advance(7 * 86400)
    week = graph.get_object(
        post_id, fields=fields + ",reactions.type(LOVE).limit(0).summary(total_count).as(loves)"
    )
    assert week["reactions"]["summary"]["total_count"] > 0
    assert 0 <= week["loves"]["summary"]["total_count"] <= week["reactions"]["summary"]["total_count"]
    assert week.get("shares", {"count": 1})["count"] > 0


def test_it_uploads_a_photo_with_caption_and_alt_text(
    sandbox: SandboxHandle, graph: facebook.GraphAPI
) -> None:
    uploaded = graph.put_photo(
        image=PNG, album_path=f"{PAGE}/photos", message="Our team", alt_text_custom="Six people"
    )
    assert set(uploaded) == {"id", "post_id"}
    photo = graph.get_object(uploaded["id"], fields="alt_text_custom,name,page_story_id")
    assert photo == {
        "alt_text_custom": "Six people",
        "name": "Our team",
        "page_story_id": uploaded["post_id"],
        "id": uploaded["id"],
    }
    [truth] = sandbox.posts(platform="facebook")
    assert truth["media"][0]["alt_text"] == "Six people"
    assert requests.get(truth["media"][0]["url"], timeout=5).content == PNG


def test_it_accepts_a_photo_by_url(sandbox: SandboxHandle, graph: facebook.GraphAPI) -> None:
    graph.put_object(PAGE, "photos", url="https://example.org/team.jpg", caption="From the web")
    [truth] = sandbox.posts(platform="facebook")
    assert (truth["text"], truth["media"][0]["url"]) == ("From the web", "https://example.org/team.jpg")


def test_it_refuses_invalid_or_oversized_photos(graph: facebook.GraphAPI) -> None:
    with pytest.raises(facebook.GraphAPIError) as not_an_image:
        graph.put_photo(image=b"plain text", album_path=f"{PAGE}/photos", message="x")
    assert not_an_image.value.code == 324
    with pytest.raises(facebook.GraphAPIError) as too_big:
        graph.put_photo(image=PNG + b"\x00" * (4 * 1024 * 1024), album_path=f"{PAGE}/photos", message="x")
    assert too_big.value.code == 324


def test_it_pages_published_posts_for_get_all_connections(
    sandbox: SandboxHandle, graph: facebook.GraphAPI
) -> None:
    ids = []
    for i in range(23):
        ids.append(graph.put_object(PAGE, "feed", message=f"post {i}")["id"])
        sandbox.advance(60)
    for edge in ("published_posts", "posts", "feed"):
        listed = list(graph.get_all_connections(PAGE, edge, fields="message,created_time", limit=10))
        assert [p["id"] for p in listed] == list(reversed(ids))
    since = int((START + timedelta(minutes=20)).timestamp())
    recent = list(graph.get_all_connections(PAGE, "published_posts", since=since, limit=2))
    assert [p["id"] for p in recent] == list(reversed(ids[20:]))
    first = graph.get_connections(PAGE, "published_posts", limit=10)
    assert "access_token=" in first["paging"]["next"]
    assert set(first["paging"]["cursors"]) == {"before", "after"}


def test_it_reports_current_insights_and_fails_on_a_deprecated_metric(
    sandbox: SandboxHandle, graph: facebook.GraphAPI
) -> None:
    post_id = graph.put_object(PAGE, "feed", message="Insightful")["id"]
    sandbox.advance(3 * 86400)
    metrics = "post_media_view,post_total_media_view_unique,post_clicks,post_reactions_by_type_total"
    data = graph.get_connections(post_id, "insights", metric=metrics)["data"]
    values = {m["name"]: m["values"][0]["value"] for m in data}
    assert values["post_media_view"] >= values["post_total_media_view_unique"] > 0
    assert isinstance(values["post_reactions_by_type_total"], dict)
    assert all(m["period"] == "lifetime" for m in data)
    with pytest.raises(facebook.GraphAPIError) as deprecated:
        graph.get_connections(post_id, "insights", metric="post_media_view,post_impressions")
    assert deprecated.value.code == 100
    assert error_of(deprecated)["message"] == "(#100) The value must be a valid insights metric"


def test_it_deletes_a_post(sandbox: SandboxHandle, graph: facebook.GraphAPI) -> None:
    post_id = graph.put_object(PAGE, "feed", message="Short-lived")["id"]
    assert graph.delete_object(post_id) == {"success": True}
    with pytest.raises(facebook.GraphAPIError) as gone:
        graph.get_object(post_id)
    assert (gone.value.code, error_of(gone)["error_subcode"]) == (100, 33)
    assert sandbox.posts()[0]["deleted_at"] is not None


def test_it_refuses_a_duplicate_post_with_code_506(graph: facebook.GraphAPI) -> None:
    graph.put_object(PAGE, "feed", message="Only once")
    with pytest.raises(facebook.GraphAPIError) as duplicate:
        graph.put_object(PAGE, "feed", message="Only once")
    assert duplicate.value.code == 506
    assert duplicate.value.type == "OAuthException"
    assert error_of(duplicate)["message"] == "Duplicate status message"


def test_it_rate_limits_a_page_with_code_32_and_usage_headers() -> None:
    with run_sandbox(graph_page_calls_per_hour=3) as sandbox:
        graph = graph_api(sandbox.url)
        for _ in range(3):
            graph.get_object("me")
        url = f"{sandbox.url}/v23.0/me?access_token={demo_accounts.FB_PAGE_TOKEN}"
        response = requests.get(url, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 32
    assert response.json()["error"]["message"] == "(#32) Page request limit reached"
    assert '"call_count":100' in response.headers["X-Page-Usage"]
    assert PAGE in response.headers["X-Business-Use-Case-Usage"]
    assert "X-App-Usage" in response.headers


def test_it_sends_a_content_type_on_every_reply(sandbox: SandboxHandle) -> None:
    for path in (
        "/v23.0/me",
        f"/v23.0/me?access_token={demo_accounts.FB_PAGE_TOKEN}",
        "/v23.0/nothing/here/at/all",
    ):
        response = requests.get(sandbox.url + path, timeout=5)
        assert response.headers["Content-Type"].startswith("application/json")
        assert "X-App-Usage" in response.headers


def test_it_rejects_unknown_fields_with_the_graph_error(graph: facebook.GraphAPI) -> None:
    post_id = graph.put_object(PAGE, "feed", message="Fields")["id"]
    with pytest.raises(
        facebook.GraphAPIError, match=r"nonexisting field \(impressions\) on node type \(Post\)"
    ):
        graph.get_object(post_id, fields="message,impressions")


def test_it_keeps_a_scheduled_post_unpublished_until_its_time(
    sandbox: SandboxHandle, graph: facebook.GraphAPI
) -> None:
    when = int((START + timedelta(hours=2)).timestamp())
    graph.put_object(PAGE, "feed", message="Later", published="false", scheduled_publish_time=str(when))
    assert graph.get_connections(PAGE, "published_posts")["data"] == []
    assert [p["message"] for p in graph.get_connections(PAGE, "scheduled_posts")["data"]] == ["Later"]
    sandbox.advance(3 * 3600)
    assert [p["message"] for p in graph.get_connections(PAGE, "published_posts")["data"]] == ["Later"]
    with pytest.raises(facebook.GraphAPIError, match="scheduled publish time"):
        graph.put_object(
            PAGE, "feed", message="Too soon", published="false", scheduled_publish_time=str(when)
        )


def test_it_refuses_posts_to_another_page(sandbox: SandboxHandle, graph: facebook.GraphAPI) -> None:
    other = sandbox.add_account(platform="facebook", name="Other Page")
    with pytest.raises(facebook.GraphAPIError):
        graph.put_object(other["id"], "feed", message="Not mine")
    assert sandbox.posts() == []
