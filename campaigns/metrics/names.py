"""The metric names: ours, and the platforms' fields they come from. One table, shared with reports.

Facebook retired ``post_impressions`` (replaced by media views, November 2025) and ``page_fans``
(replaced by ``page_follows``); when Meta retires another, only this table changes, and until it
does the collector records the metric as unavailable instead of failing (see collect_facebook).
"""

from __future__ import annotations

from typing import Final

TWITTER: Final = "twitter"
FACEBOOK: Final = "facebook"
POST: Final = "post"  # subject_type: one of our posts (subject = posts.id)
HASHTAG: Final = "hashtag"  # subject_type: others' use of a campaign hashtag (subject = "#SSWWeek")

# Our metric -> X's ``public_metrics`` key (GET /2/tweets?ids=..., tweet.fields=public_metrics).
TWITTER_POST_METRICS: Final[dict[str, str]] = {
    "impressions": "impression_count",
    "likes": "like_count",
    "reposts": "retweet_count",
    "replies": "reply_count",
    "quotes": "quote_count",
    "bookmarks": "bookmark_count",
}

# Our metric -> the Graph post field's total (GET /{post-id}?fields=...).
FACEBOOK_FIELD_METRICS: Final[dict[str, str]] = {
    "reactions": "reactions",  # reactions.summary(total_count)
    "comments": "comments",  # comments.summary(total_count)
    "shares": "shares",  # shares.count (absent when nobody shared)
}

# Our metric -> the Graph post insight (GET /{post-id}/insights?metric=..., asked one at a time:
# one invalid or retired metric fails a whole request).
FACEBOOK_INSIGHT_METRICS: Final[dict[str, str]] = {
    "media_views": "post_media_view",
    "reach": "post_total_media_view_unique",
    "clicks": "post_clicks",
}

# Per channel: every metric of one of our posts.
POST_METRICS: Final[dict[str, dict[str, str]]] = {
    TWITTER: TWITTER_POST_METRICS,
    FACEBOOK: {**FACEBOOK_FIELD_METRICS, **FACEBOOK_INSIGHT_METRICS},
}
# What "impressions" means per channel in a report (Facebook counts media views instead).
IMPRESSIONS: Final[dict[str, str]] = {TWITTER: "impressions", FACEBOOK: "media_views"}

# Hashtag volume, X only: uses = posts by others in the hour (GET /2/tweets/counts/recent),
# accounts = distinct authors of those posts in the hour (from GET /2/tweets/search/recent).
HASHTAG_METRICS: Final[tuple[str, ...]] = ("uses", "accounts")
HASHTAG_CHANNELS: Final[tuple[str, ...]] = (TWITTER,)  # Facebook: "not available", never 0

# Derived, never stored: the sum of these (latest values) is a post's engagements.
ENGAGEMENT_PARTS: Final[dict[str, tuple[str, ...]]] = {
    TWITTER: ("likes", "reposts", "replies", "quotes", "bookmarks"),
    FACEBOOK: ("reactions", "comments", "shares", "clicks"),
}

# Where a sample came from (metric_samples.source).
SOURCE_X_TWEETS: Final = "x.tweets"
SOURCE_X_SEARCH: Final = "x.search_recent"
SOURCE_X_COUNTS: Final = "x.counts_recent"
SOURCE_GRAPH_FIELDS: Final = "graph.post_fields"
SOURCE_GRAPH_INSIGHTS: Final = "graph.insights"


def post_metrics(channel: str) -> tuple[str, ...]:
    """Our metric names for a post on ``channel``, in display order."""
    if channel == TWITTER:
        return tuple(TWITTER_POST_METRICS)
    return (*FACEBOOK_FIELD_METRICS, *FACEBOOK_INSIGHT_METRICS)


def hashtag_volume_available(channel: str) -> bool:
    """Facebook has no hashtag search (no API at all): its volume is "not available", never 0."""
    return channel in HASHTAG_CHANNELS
