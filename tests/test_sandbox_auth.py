"""Credentials as the platforms check them: OAuth 1.0a signatures over the real host, bearer tokens
for reads, Page access tokens."""

from __future__ import annotations

import pytest
import requests
import tweepy
from requests_oauthlib import OAuth1

from campaigns import demo_accounts
from sandbox.clients import graph_api, tweepy_client
from sandbox.testing import SandboxHandle

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def signed(
    secret: str = demo_accounts.X_CONSUMER_SECRET, token_secret: str = demo_accounts.X_ACCESS_TOKEN_SECRET
) -> OAuth1:
    return OAuth1(demo_accounts.X_CONSUMER_KEY, secret, demo_accounts.X_ACCESS_TOKEN, token_secret)


def post_signed_for(sandbox: SandboxHandle, signed_url: str, auth: OAuth1) -> requests.Response:
    """Sign the request for ``signed_url``, then deliver it to the sandbox's /2/tweets."""
    prepared = requests.Request("POST", signed_url, json={"text": "signed elsewhere"}, auth=auth).prepare()
    prepared.url = sandbox.url + "/2/tweets"
    with requests.Session() as session:
        return session.send(prepared, timeout=5)


def test_it_accepts_a_request_signed_for_the_real_host(sandbox: SandboxHandle) -> None:
    assert post_signed_for(sandbox, "https://api.twitter.com/2/tweets", signed()).status_code == 201


@pytest.mark.parametrize(
    "url", ["https://api.x.com/2/tweets", "https://api.twitter.com/2/tweets?x=1", "http://127.0.0.1/2/tweets"]
)
def test_it_rejects_a_signature_made_for_another_url(sandbox: SandboxHandle, url: str) -> None:
    response = post_signed_for(sandbox, url, signed())
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert sandbox.posts() == []


@pytest.mark.parametrize(
    "secrets", [("wrong", demo_accounts.X_ACCESS_TOKEN_SECRET), (demo_accounts.X_CONSUMER_SECRET, "wrong")]
)
def test_it_rejects_a_wrong_secret(sandbox: SandboxHandle, secrets: tuple[str, str]) -> None:
    response = post_signed_for(sandbox, "https://api.twitter.com/2/tweets", signed(*secrets))
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_it_rejects_an_unknown_access_token(sandbox: SandboxHandle) -> None:
    client = tweepy_client(sandbox.url, access_token="999-unknown")
    with pytest.raises(tweepy.Unauthorized):
        client.create_tweet(text="who am I")


def test_it_rejects_a_replayed_request(sandbox: SandboxHandle) -> None:
    prepared = requests.Request(
        "POST", "https://api.twitter.com/2/tweets", json={"text": "once"}, auth=signed()
    ).prepare()
    prepared.url = sandbox.url + "/2/tweets"
    with requests.Session() as session:
        assert session.send(prepared, timeout=5).status_code == 201
        assert session.send(prepared, timeout=5).status_code == 401


def test_it_signs_query_parameters_into_the_base_string(sandbox: SandboxHandle) -> None:
    client = tweepy_client(sandbox.url)
    client.create_tweet(text="Searchable #authcheck")
    found = client.search_recent_tweets("#authcheck -is:retweet", max_results=10, user_auth=True)
    assert found.data[0].text == "Searchable #authcheck"  # the newest: chatter started before it


def test_it_accepts_the_bearer_token_for_reads_but_not_for_writes(sandbox: SandboxHandle) -> None:
    writer = tweepy_client(sandbox.url)
    tweet_id = writer.create_tweet(text="readable").data["id"]
    reader = tweepy.Client(bearer_token=demo_accounts.X_BEARER_TOKEN)
    reader.session = writer.session
    assert reader.get_tweet(tweet_id).data.text == "readable"
    with pytest.raises(tweepy.Forbidden) as refused:
        reader.request("POST", "/2/tweets", json={"text": "app-only"})
    assert refused.value.response.json()["type"].endswith("/problems/unsupported-authentication")


def test_it_rejects_an_unknown_bearer_token(sandbox: SandboxHandle) -> None:
    reader = tweepy_client(sandbox.url, bearer_token="not-a-token")
    with pytest.raises(tweepy.Unauthorized):
        reader.get_tweet("1")


def test_it_requires_a_known_page_token(sandbox: SandboxHandle) -> None:
    missing = requests.get(f"{sandbox.url}/v23.0/me", timeout=5).json()["error"]
    assert (missing["code"], missing["type"]) == (104, "OAuthException")
    import facebook

    with pytest.raises(facebook.GraphAPIError) as wrong:
        graph_api(sandbox.url, token="not-a-page-token").get_object("me")
    assert (wrong.value.code, wrong.value.type) == (190, "OAuthException")
