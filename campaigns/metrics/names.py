"""Every metric the service stores, per channel and subject, and where each comes from.

One table shared by the collector and the reports: ``metric_samples.metric`` holds these names.
"""

from __future__ import annotations

from typing import Final

TWITTER: Final = "twitter"
FACEBOOK: Final = "facebook"
POST: Final = "post"
HASHTAG: Final = "hashtag"

# Our posts: metric name -> the platform's field that gives it.
TWITTER_POST_METRICS: Final[dict[str, str]] = {
    "impressions": "impression_count",
    "likes": "like_count",
    "reposts": "retweet_count",
    "replies": "reply_count",
    "quotes": "quote_count",
    "bookmarks": "bookmark_count",
}
FACEBOOK_POST_FIELDS: Final[dict[str, str]] = {
    "reactions": "reactions.summary.total_count",
    "comments": "comments.summary.total_count",
    "shares": "shares.count",
}
FACEBOOK_POST_INSIGHTS: Final[dict[str, str]] = {
    "media_views": "post_media_view",
    "reach": "post_total_media_view_unique",
    "clicks": "post_clicks",
}
FACEBOOK_POST_METRICS: Final[dict[str, str]] = {**FACEBOOK_POST_FIELDS, **FACEBOOK_POST_INSIGHTS}
POST_METRICS: Final[dict[str, dict[str, str]]] = {
    TWITTER: TWITTER_POST_METRICS,
    FACEBOOK: FACEBOOK_POST_METRICS,
}

# Derived, never stored: engagements = the sum of these.
ENGAGEMENT_PARTS: Final[dict[str, tuple[str, ...]]] = {
    TWITTER: ("likes", "reposts", "replies", "quotes", "bookmarks"),
    FACEBOOK: ("reactions", "comments", "shares", "clicks"),
}
# What "impressions" means per channel in a report (Facebook has media views instead).
IMPRESSIONS: Final[dict[str, str]] = {TWITTER: "impressions", FACEBOOK: "media_views"}

# Hashtag volume by others, per hour bucket: X only (Facebook has no API for it: "not available").
HASHTAG_METRICS: Final[tuple[str, ...]] = ("uses", "accounts")
HASHTAG_CHANNELS: Final[tuple[str, ...]] = (TWITTER,)
