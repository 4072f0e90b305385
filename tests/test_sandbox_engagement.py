"""Simulated engagement: metrics grow with the sandbox clock, deterministically for a seed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from campaigns import demo_accounts
from sandbox.clients import graph_api, tweepy_client
from sandbox.engagement import facebook_metrics, x_metrics
from sandbox.model import Post
from sandbox.testing import SandboxHandle, run_sandbox

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
FIELDS = ["public_metrics"]


def metrics_over_a_week(sandbox: SandboxHandle, text: str) -> list[dict[str, int]]:
    x = tweepy_client(sandbox.url)
    tweet_id = x.create_tweet(text=text).data["id"]
    seen = []
    for hours in (0, 1, 6, 24, 72, 168):
        sandbox.set_clock(START + timedelta(hours=hours))
        seen.append(x.get_tweet(tweet_id, tweet_fields=FIELDS).data.public_metrics)
    return seen


def test_it_grows_metrics_as_the_clock_advances(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(START)
    seen = metrics_over_a_week(sandbox, "Growing #SSWWeek")
    assert all(value == 0 for value in seen[0].values())
    assert seen[-1]["impression_count"] > seen[1]["impression_count"] > 0
    for earlier, later in pairwise(seen):
        assert all(later[k] >= earlier[k] for k in earlier)


def test_it_gives_the_same_numbers_for_the_same_seed() -> None:
    runs = []
    for seed in (7, 7, 8):
        with run_sandbox(seed=seed) as sandbox:
            sandbox.set_clock(START)
            metrics = metrics_over_a_week(sandbox, "Deterministic #SSWWeek")
            x = tweepy_client(sandbox.url)
            chatter = x.search_recent_tweets("#sswweek", max_results=100)
            runs.append((metrics, [(t.id, t.text) for t in chatter.data]))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_it_simulates_other_accounts_posting_with_campaign_hashtags(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(START)
    x = tweepy_client(sandbox.url)
    assert x.search_recent_tweets("#workforcewellbeing").data is None  # nobody uses it yet
    x.create_tweet(text="Launching #WorkforceWellbeing")
    sandbox.advance(36 * 3600)
    everything = x.search_recent_tweets("#workforcewellbeing", max_results=100, expansions=["author_id"])
    others = {t.author_id for t in everything.data} - {int(demo_accounts.X_USER_ID)}
    assert len(others) > 3
    assert any(t.text.startswith("RT @") for t in everything.data)
    originals = x.search_recent_tweets("#workforcewellbeing -is:retweet", max_results=100)
    assert not any(t.text.startswith("RT @") for t in originals.data)
    assert sandbox.posts() and all(p["account_id"] == demo_accounts.X_USER_ID for p in sandbox.posts())


def test_it_grows_facebook_insights_with_the_clock(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(START)
    graph = graph_api(sandbox.url)
    post_id = graph.put_object(demo_accounts.FB_PAGE_ID, "feed", message="Insights grow")["id"]
    views = []
    for days in (0, 1, 7):
        sandbox.set_clock(START + timedelta(days=days))
        data = graph.get_connections(post_id, "insights", metric="post_media_view")["data"]
        views.append(data[0]["values"][0]["value"])
    assert views[0] == 0 < views[1] <= views[2]


@given(
    post_id=st.integers(min_value=1, max_value=2**62).map(str),
    ages=st.lists(st.floats(min_value=0, max_value=60 * 86400), min_size=2, max_size=6),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_it_never_lets_a_metric_shrink(post_id: str, ages: list[float], seed: int) -> None:
    post = Post("x", post_id, demo_accounts.X_USER_ID, "text", START)
    snapshots = [x_metrics(seed, post, 2000, START + timedelta(seconds=a)) for a in sorted(ages)]
    for earlier, later in pairwise(snapshots):
        assert all(later[k] >= earlier[k] for k in earlier)
    fb = [facebook_metrics(seed, post, 2000, START + timedelta(seconds=a)) for a in sorted(ages)]
    for earlier_fb, later_fb in pairwise(fb):
        assert all(later_fb[k] >= earlier_fb[k] for k in ("views", "reach", "clicks", "comments", "shares"))
