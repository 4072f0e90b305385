"""Facebook Page post metrics: the post's fields, and its insights asked one metric at a time.

Mixed into ``FacebookPlatform``; every call goes through its ``_mapped`` (rate limits, token
problems, transient errors). One invalid or retired insights metric fails a whole request
("(#100) The value must be a valid insights metric"), so each metric is its own request and such
an answer becomes ``MetricUnavailable`` for that metric alone.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import facebook

from campaigns.platforms.errors import RejectedPost
from campaigns.platforms.facebook_answers import page_usage
from campaigns.platforms.http import ResponseLog

_FIELDS = "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"


class MetricUnavailable(RejectedPost):
    """The platform does not know this metric (retired or never valid): record it, go on."""

    kind = "metric unavailable"


class FacebookMetricsMixin:
    _graph: facebook.GraphAPI
    _proof: dict[str, str]
    name: str
    account: str
    _mapped: Callable[..., AbstractContextManager[None]]  # the platform's one error mapping
    _log: ResponseLog

    def page_usage(self) -> int | None:
        """The Page's share of its Graph rate limit in use (percent) as the last answer this thread
        had gave it; None if it gave none."""
        return page_usage(self._log.last_headers)

    def post_fields(self, post_id: str) -> dict[str, int] | None:
        """``{"reactions", "comments", "shares"}`` totals, or None when the post is gone (code 100)."""
        try:
            with self._mapped():
                post: dict[str, Any] = self._graph.get_object(post_id, fields=_FIELDS, **self._proof)
        except RejectedPost:
            return None
        return {
            "reactions": _total(post, "reactions"),
            "comments": _total(post, "comments"),
            "shares": int((post.get("shares") or {}).get("count", 0)),  # absent when nobody shared
        }

    def post_insight(self, post_id: str, metric: str) -> int | None:
        """The lifetime value of one insights metric (None if the answer holds no number).

        Raises MetricUnavailable when the API says the metric is not valid."""
        try:
            with self._mapped():
                answer: dict[str, Any] = self._graph.get_connections(
                    post_id, "insights", metric=metric, **self._proof
                )
        except RejectedPost as e:
            if "valid insights metric" in e.reason:
                raise MetricUnavailable(
                    f"{metric}: {e.reason}", platform=self.name, account=self.account
                ) from None
            raise
        for item in answer.get("data", []):
            values = item.get("values") or [{}]
            value = values[-1].get("value")
            if item.get("name") == metric and isinstance(value, int):
                return value
        return None


def _total(post: dict[str, Any], edge: str) -> int:
    return int(((post.get(edge) or {}).get("summary") or {}).get("total_count", 0))
