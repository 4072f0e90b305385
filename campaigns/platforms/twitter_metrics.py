"""X metric reads, one request per call so that the caller can stop at its read budget.

Mixed into ``TwitterPlatform``: every call goes through its ``_mapped`` (the one error mapping:
429 -> RateLimited, 402 -> QuotaExhausted, 5xx/network -> TransientError, ...). Reads use the
bearer token when configured (app-only: the search and counts routes allow it), else user context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import tweepy

MAX_IDS = 100  # GET /2/tweets takes at most 100 ids
SEARCH_PAGE = 100  # GET /2/tweets/search/recent: max_results 10..100


@dataclass(frozen=True, slots=True)
class FoundPost:
    """A post found by recent search: who wrote it and when (the read is billed, the text unused)."""

    id: str
    author_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SearchPage:
    posts: list[FoundPost]
    next_token: str | None


@dataclass(frozen=True, slots=True)
class CountBucket:
    start: datetime
    end: datetime
    count: int


class TwitterMetricsMixin:
    _client: tweepy.Client
    _reads_as_user: bool

    _mapped: Callable[..., AbstractContextManager[None]]  # the platform's one error mapping

    def public_metrics(self, remote_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """``public_metrics`` of at most 100 posts (one request); ids X no longer serves are absent."""
        if len(remote_ids) > MAX_IDS:
            raise ValueError(f"at most {MAX_IDS} ids per request")
        with self._mapped():
            response = self._client.get_tweets(
                list(remote_ids), tweet_fields=["public_metrics"], user_auth=self._reads_as_user
            )
        return {
            str(tweet.id): {k: int(v) for k, v in (tweet.public_metrics or {}).items()}
            for tweet in response.data or []
        }

    def search_page(
        self,
        query: str,
        *,
        start_time: datetime,
        end_time: datetime,
        next_token: str | None = None,
        max_results: int = SEARCH_PAGE,
    ) -> SearchPage:
        """One page of recent search (newest first) in [start_time, end_time)."""
        with self._mapped():
            response = self._client.search_recent_tweets(
                query,
                start_time=start_time.astimezone(UTC),
                end_time=end_time.astimezone(UTC),
                next_token=next_token,
                max_results=min(max(max_results, 10), SEARCH_PAGE),
                tweet_fields=["created_at", "author_id"],
                user_auth=self._reads_as_user,
            )
        posts = [
            FoundPost(str(t.id), str(t.author_id), t.created_at.astimezone(UTC)) for t in response.data or []
        ]
        return SearchPage(posts, (response.meta or {}).get("next_token"))

    def recent_counts(
        self, query: str, *, start_time: datetime, end_time: datetime, granularity: str = "hour"
    ) -> list[CountBucket] | None:
        """``GET /2/tweets/counts/recent``: posts matching ``query`` per bucket, oldest first.

        None without a bearer token: X serves counts to app-only authentication alone."""
        if self._reads_as_user:
            return None
        with self._mapped():
            response = self._client.get_recent_tweets_count(
                query,
                start_time=start_time.astimezone(UTC),
                end_time=end_time.astimezone(UTC),
                granularity=granularity,
            )
        return list(_buckets(response.data or []))


def _buckets(data: list[dict[str, Any]]) -> Iterator[CountBucket]:
    for bucket in data:
        yield CountBucket(_time(bucket["start"]), _time(bucket["end"]), int(bucket["tweet_count"]))


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
