"""What the Graph API's answers mean: error bodies as our exceptions, engagement fields as
``PostMetrics``, Graph times as aware datetimes.

Pure functions of the decoded JSON and headers (``now`` passed in where time matters): no
facebook-sdk and no network here, so ``facebook.py`` keeps the client and this keeps the rules.
Codes are Meta's (see the platform reference): ``error.code`` and ``error_subcode``, and
``X-Business-Use-Case-Usage`` for how long a rate limit lasts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from campaigns.platforms.base import PostMetrics
from campaigns.platforms.errors import (
    AlreadyPublished,
    CredentialsRejected,
    PlatformError,
    RateLimited,
    RejectedPost,
    TransientError,
)

RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001})  # app, user, page, application, API, Pages BUC
TOKEN_CODES = frozenset({102, 190})  # session key invalid; token expired, revoked or invalid (see subcode)
_USAGE_KEYS = ("call_count", "total_cputime", "total_time")  # percentages of the Page's limit
DEFAULT_RATE_WAIT = timedelta(minutes=10)  # when no header says how long (Meta: rolling windows)
# The engagement fields of a post, as ``metrics`` reads them.
ENGAGEMENT = "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"


def error_from_graph(
    result: Any,
    *,
    status: int | None,
    headers: Mapping[str, str] | None,
    unsure: type[TransientError],
    platform: str,
    account: str,
    now: datetime,
) -> PlatformError:
    """Our exception for a Graph error answer (``result``: the decoded body, if it was JSON).

    ``unsure`` is what an error of unknown effect becomes: ``OutcomeUnknown`` when the request
    may have created a post, else ``TransientError``.
    """
    where = {"platform": platform, "account": account}
    error = result.get("error") if isinstance(result, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), int):
        # Not a Graph error body, e.g. an HTML error page from a proxy.
        return unsure(f"unexpected answer (HTTP {status})", **where)
    code, subcode = error["code"], error.get("error_subcode")
    detail = f"{error.get('message', 'error')} (code {code}{f', subcode {subcode}' if subcode else ''})"
    if code == 506:
        return AlreadyPublished(detail, **where)
    if code in RATE_LIMIT_CODES:
        return RateLimited(detail, reset_at=regain_access_at(headers or {}, now), **where)
    if code in TOKEN_CODES or code == 10 or 200 <= code <= 299:
        return CredentialsRejected(detail, code=code, **where)
    if code in (1, 2) or error.get("is_transient") or (status or 0) >= 500:
        return unsure(detail, **where)
    return RejectedPost(detail, **where)


def regain_access_at(headers: Mapping[str, str], now: datetime) -> datetime:
    """From ``X-Business-Use-Case-Usage``'s ``estimated_time_to_regain_access`` (minutes)."""
    minutes = 0
    try:
        usage = json.loads(headers.get("x-business-use-case-usage", "{}"))
        for entries in usage.values():
            for entry in entries:
                minutes = max(minutes, int(entry.get("estimated_time_to_regain_access", 0)))
    except (ValueError, TypeError, AttributeError):
        minutes = 0  # malformed header: fall back to the default wait
    return now + (timedelta(minutes=minutes) if minutes else DEFAULT_RATE_WAIT)


def page_usage(headers: Mapping[str, str] | None) -> int | None:
    """How much of its Graph rate limit the Page has used, in percent: the highest of Meta's call
    count, CPU time and total time in ``X-Page-Usage`` and ``X-Business-Use-Case-Usage``; None when
    the answer carried neither (or only malformed ones)."""
    if not headers:
        return None
    found: list[int] = []
    for name in ("x-page-usage", "x-business-use-case-usage"):
        try:
            usage = json.loads(headers.get(name) or "{}")
            entries = [usage] if name == "x-page-usage" else [e for v in usage.values() for e in v]
            found += [int(e[k]) for e in entries for k in _USAGE_KEYS if isinstance(e.get(k), int)]
        except (ValueError, TypeError, AttributeError):
            continue  # a malformed header says nothing
    return max(found, default=None)


def post_metrics(post: Mapping[str, Any], *, views: int | None = None) -> PostMetrics:
    """A post's ``ENGAGEMENT`` fields (and its ``post_media_view`` insight, if read) as metrics."""

    def total(edge: str) -> int:
        return int(((post.get(edge) or {}).get("summary") or {}).get("total_count", 0))

    return PostMetrics(
        likes=total("reactions"),
        reposts=int((post.get("shares") or {}).get("count", 0)),  # absent when nobody shared
        replies=total("comments"),
        impressions=views,
        raw={k: v for k, v in post.items() if k != "id"}
        | ({"post_media_view": views} if views is not None else {}),
    )


def parse_time(value: Any, *, now: datetime) -> datetime:
    """Graph's ``2025-03-01T12:00:00+0000``; a missing time counts as ``now``."""
    if not isinstance(value, str):
        return now
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
