"""X API v2 media upload in the sandbox: one-shot JSON, chunked multipart, STATUS, alt text."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
import tweepy
from requests_oauthlib import OAuth1

from campaigns import demo_accounts
from sandbox.clients import tweepy_client
from sandbox.testing import SandboxHandle

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
GIF = b"GIF89a" + b"\x01" * 3000


@pytest.fixture
def x(sandbox: SandboxHandle) -> tweepy.Client:
    return tweepy_client(sandbox.url)


def upload(x: tweepy.Client, data: bytes, **extra: str) -> dict[str, Any]:
    body = {"media": base64.b64encode(data).decode(), "media_category": "tweet_image", **extra}
    response: dict[str, Any] = x.request("POST", "/2/media/upload", json=body, user_auth=True).json()
    return response


def signed_post(sandbox: SandboxHandle, path: str, **kwargs: Any) -> requests.Response:
    auth = OAuth1(
        demo_accounts.X_CONSUMER_KEY,
        demo_accounts.X_CONSUMER_SECRET,
        demo_accounts.X_ACCESS_TOKEN,
        demo_accounts.X_ACCESS_TOKEN_SECRET,
    )
    prepared = requests.Request("POST", "https://api.twitter.com" + path, auth=auth, **kwargs).prepare()
    prepared.url = sandbox.url + path
    with requests.Session() as session:
        return session.send(prepared, timeout=5)


def test_it_uploads_an_image_in_one_shot_and_posts_it_with_alt_text(
    sandbox: SandboxHandle, x: tweepy.Client
) -> None:
    data = upload(x, PNG)["data"]
    assert set(data) >= {"id", "media_key", "size", "expires_after_secs"}
    assert isinstance(data["id"], str)
    assert data["media_key"] == f"3_{data['id']}"
    alt = x.request(
        "POST",
        "/2/media/metadata",
        json={"id": data["id"], "metadata": {"alt_text": {"text": "A bar chart"}}},
        user_auth=True,
    ).json()
    assert alt == {"data": {"id": data["id"], "associated_metadata": True}}

    tweet_id = x.create_tweet(text="With a chart", media_ids=[data["id"]]).data["id"]
    fetched = x.get_tweet(tweet_id, expansions=["attachments.media_keys"], media_fields=["alt_text", "url"])
    assert fetched.includes["media"][0].alt_text == "A bar chart"
    assert requests.get(fetched.includes["media"][0].url, timeout=5).content == PNG
    [truth] = sandbox.posts()
    assert truth["media"] == [
        {
            "id": data["id"],
            "type": "image/png",
            "alt_text": "A bar chart",
            "size": len(PNG),
            "url": fetched.includes["media"][0].url,
        }
    ]


def test_it_uploads_multipart_in_chunks_and_reports_processing(
    sandbox: SandboxHandle, x: tweepy.Client
) -> None:
    init = x.request(
        "POST",
        "/2/media/upload/initialize",
        json={"media_type": "image/gif", "total_bytes": len(GIF), "media_category": "tweet_gif"},
        user_auth=True,
    ).json()["data"]
    media_id = init["id"]
    for index, start in enumerate(range(0, len(GIF), 1000)):
        chunk = GIF[start : start + 1000]
        appended = signed_post(
            sandbox,
            f"/2/media/upload/{media_id}/append",
            files={"media": chunk},
            data={"segment_index": str(index)},
        )
        assert appended.status_code == 200
        assert "expires_at" in appended.json()["data"]
    final = x.request("POST", f"/2/media/upload/{media_id}/finalize", user_auth=True).json()["data"]
    assert (final["size"], final["processing_info"]["state"]) == (len(GIF), "pending")
    states = []
    while not states or states[-1] != "succeeded":
        status = x.request(
            "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}, user_auth=True
        )
        states.append(status.json()["data"]["processing_info"]["state"])
    assert states == ["in_progress", "succeeded"]
    x.create_tweet(text="An animation", media_ids=[media_id])
    assert sandbox.posts()[0]["media"][0]["type"] == "image/gif"


def test_it_accepts_a_multipart_one_shot_upload(sandbox: SandboxHandle) -> None:
    response = signed_post(
        sandbox, "/2/media/upload", files={"media": PNG}, data={"media_category": "tweet_image"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["size"] == len(PNG)


def test_it_refuses_media_of_the_wrong_type_or_size(x: tweepy.Client) -> None:
    with pytest.raises(tweepy.BadRequest, match="media type unrecognized"):
        upload(x, b"%PDF-1.7 not an image")
    with pytest.raises(tweepy.BadRequest, match="File size exceeds 5242880 bytes"):
        upload(x, PNG + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(tweepy.BadRequest, match="total_bytes"):
        x.request(
            "POST",
            "/2/media/upload/initialize",
            json={"media_type": "image/png", "total_bytes": 6 * 1024 * 1024},
            user_auth=True,
        )


def test_it_refuses_unknown_unfinished_or_foreign_media_in_a_tweet(
    sandbox: SandboxHandle, x: tweepy.Client
) -> None:
    with pytest.raises(tweepy.BadRequest, match="media IDs are invalid"):
        x.create_tweet(text="ghost media", media_ids=["1234"])
    started = x.request(
        "POST",
        "/2/media/upload/initialize",
        json={"media_type": "image/png", "total_bytes": 10},
        user_auth=True,
    ).json()["data"]
    with pytest.raises(tweepy.BadRequest, match="media IDs are invalid"):
        x.create_tweet(text="unfinished media", media_ids=[started["id"]])
    sandbox.add_account(count=1)
    mine = upload(x, PNG)["data"]["id"]
    with pytest.raises(tweepy.BadRequest, match="media IDs are invalid"):
        tweepy_client(sandbox.url, 1).create_tweet(text="not my media", media_ids=[mine])


def test_it_refuses_alt_text_over_1000_characters(x: tweepy.Client) -> None:
    media_id = upload(x, PNG)["data"]["id"]
    with pytest.raises(tweepy.BadRequest):
        x.request(
            "POST",
            "/2/media/metadata",
            json={"id": media_id, "metadata": {"alt_text": {"text": "a" * 1001}}},
            user_auth=True,
        )
