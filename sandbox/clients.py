"""The unmodified client libraries, pointed at a sandbox (for tests, demos and benchmarks).

tweepy and facebook-sdk have their hosts hardcoded; the project's ``RoutingAdapter`` rewrites the
URL to the sandbox after the client has built (and, for X, signed) it, and gives every call a
timeout.
"""

from __future__ import annotations

from typing import Any

import requests

from campaigns import demo_accounts
from campaigns.account_config import GRAPH_API, TWITTER_API
from campaigns.platforms.http import RoutingAdapter


def redirected_session(sandbox_url: str, host: str, *, timeout: float = 10.0) -> requests.Session:
    session = requests.Session()
    session.mount(host + "/", RoutingAdapter(sandbox_url, timeout=timeout))
    return session


def tweepy_client(sandbox_url: str, n: int = 0, *, timeout: float = 10.0, **credentials: str) -> Any:
    """A ``tweepy.Client`` for the demo account (n=0) or family member n; ``credentials`` override."""
    import tweepy

    values = {
        "bearer_token": demo_accounts.X_BEARER_TOKEN,
        "consumer_key": demo_accounts.X_CONSUMER_KEY,
        "consumer_secret": demo_accounts.X_CONSUMER_SECRET,
        "access_token": demo_accounts.x_access_token(n) if n else demo_accounts.X_ACCESS_TOKEN,
        "access_token_secret": demo_accounts.x_access_token_secret(n)
        if n
        else demo_accounts.X_ACCESS_TOKEN_SECRET,
    } | credentials
    client = tweepy.Client(**values)
    client.session = redirected_session(sandbox_url, TWITTER_API, timeout=timeout)
    return client


def graph_api(
    sandbox_url: str,
    token: str = demo_accounts.FB_PAGE_TOKEN,
    *,
    version: str = "v23.0",
    timeout: float = 10.0,
) -> Any:
    """A ``facebook.GraphAPI`` on a Page token; the version is set after construction (3.1.0's
    constructor only accepts versions up to 3.1)."""
    import facebook

    graph = facebook.GraphAPI(
        access_token=token,
        timeout=timeout,
        session=redirected_session(sandbox_url, GRAPH_API, timeout=timeout),
    )
    graph.version = version
    return graph
