"""What a metrics collector would read from this sandbox over time, without HTTP: for tests and demos.

``post_readings`` gives a post's metrics as the sandbox's X API / Graph API would report them at each
reading (the same deterministic engagement curves, ``sandbox.engagement``), and ``hashtag_hours``
the simulated chatter's uses of a hashtag per hour (``sandbox.simulation``), named as the service
stores them (``campaigns.metrics.names``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sandbox.engagement import facebook_metrics, x_metrics
from sandbox.model import Post
from sandbox.simulation import SLOT_SECONDS, Chatter

X_NAMES = {
    "impression_count": "impressions",
    "like_count": "likes",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "quote_count": "quotes",
    "bookmark_count": "bookmarks",
}
FOLLOWERS = {"twitter": 12_000, "facebook": 8_000}


def post_readings(
    *,
    seed: int,
    post_id: str,
    channel: str,
    text: str,
    published_at: datetime,
    until: datetime,
    every: timedelta,
) -> Iterator[tuple[datetime, dict[str, int]]]:
    """(read at, {metric: value}) every ``every`` from publication up to ``until``."""
    post = Post("x" if channel == "twitter" else "facebook", post_id, "demo", text, published_at)
    at = published_at + every
    while at <= until:
        if channel == "twitter":
            raw = x_metrics(seed, post, FOLLOWERS[channel], at)
            yield at, {X_NAMES[k]: v for k, v in raw.items()}
        else:
            fb = facebook_metrics(seed, post, FOLLOWERS[channel], at)
            yield (
                at,
                {
                    "reactions": int(fb["reactions_total"]),  # type: ignore[call-overload]
                    "comments": int(fb["comments"]),  # type: ignore[call-overload]
                    "shares": int(fb["shares"]),  # type: ignore[call-overload]
                    "media_views": int(fb["views"]),  # type: ignore[call-overload]
                    "reach": int(fb["reach"]),  # type: ignore[call-overload]
                    "clicks": int(fb["clicks"]),  # type: ignore[call-overload]
                },
            )
        at += every


def hashtag_hours(
    *, seed: int, tag: str, first_use: datetime, start: datetime, end: datetime
) -> Iterator[tuple[datetime, int, int]]:
    """(hour start, uses, distinct accounts) of the simulated chatter with ``tag`` in [start, end)."""
    chatter = Chatter(seed)
    posts = chatter.posts(tag.lstrip("#"), first_use, start, end - timedelta(microseconds=1))
    by_hour: dict[datetime, list[str]] = {}
    for post in posts:
        stamp = int(post.created_at.timestamp()) // SLOT_SECONDS * SLOT_SECONDS
        hour = datetime.fromtimestamp(stamp, post.created_at.tzinfo)
        by_hour.setdefault(hour, []).append(post.account_id)
    for hour in sorted(by_hour):
        authors = by_hour[hour]
        yield hour, len(authors), len(set(authors))
