"""The Graph answers' meaning as pure functions: errors, rate-limit waits, metrics, times."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.platforms.errors import (
    AlreadyPublished,
    CredentialsRejected,
    OutcomeUnknown,
    PlatformError,
    RateLimited,
    RejectedPost,
    TransientError,
)
from campaigns.platforms.facebook_answers import (
    DEFAULT_RATE_WAIT,
    error_from_graph,
    parse_time,
    post_metrics,
    regain_access_at,
)

NOW = datetime(2027, 4, 5, 13, 0, tzinfo=UTC)


def graph_error(code: int, *, status: int = 400, headers: dict[str, str] | None = None, **error: object):
    return error_from_graph(
        {"error": {"message": "m", "code": code, **error}},
        status=status,
        headers=headers,
        unsure=OutcomeUnknown,
        platform="facebook",
        account="default",
        now=NOW,
    )


@pytest.mark.parametrize(
    ("code", "kind"),
    [(506, AlreadyPublished), (32, RateLimited), (190, CredentialsRejected), (200, CredentialsRejected),
     (2, OutcomeUnknown), (100, RejectedPost)],
)  # fmt: skip
def test_it_maps_graph_codes_to_our_errors(code: int, kind: type[PlatformError]) -> None:
    error = graph_error(code)
    assert type(error) is kind
    assert (error.platform, error.account) == ("facebook", "default")


def test_it_treats_a_server_error_or_a_body_that_is_not_graph_as_of_unknown_effect() -> None:
    assert type(graph_error(100, status=503)) is OutcomeUnknown
    error = error_from_graph(
        "<html>", status=502, headers=None, unsure=TransientError, platform="facebook", account="a", now=NOW
    )
    assert type(error) is TransientError and "HTTP 502" in str(error)


def test_it_waits_as_long_as_the_usage_header_says_or_a_default() -> None:
    usage = {"123": [{"estimated_time_to_regain_access": 5}, {"estimated_time_to_regain_access": 60}]}
    assert regain_access_at({"x-business-use-case-usage": json.dumps(usage)}, NOW) == NOW + timedelta(hours=1)
    assert regain_access_at({"x-business-use-case-usage": "not json"}, NOW) == NOW + DEFAULT_RATE_WAIT
    assert regain_access_at({}, NOW) == NOW + DEFAULT_RATE_WAIT
    limited = graph_error(4, headers={"x-business-use-case-usage": json.dumps(usage)})
    assert isinstance(limited, RateLimited) and limited.reset_at == NOW + timedelta(hours=1)


def test_it_reads_engagement_and_times() -> None:
    post = {
        "id": "1_2",
        "reactions": {"summary": {"total_count": 7}},
        "comments": {"summary": {"total_count": 2}},
    }
    metrics = post_metrics(post, views=40)
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.impressions) == (7, 0, 2, 40)
    assert metrics.raw["post_media_view"] == 40 and "id" not in metrics.raw
    assert parse_time("2027-04-05T12:00:00+0000", now=NOW) == NOW - timedelta(hours=1)
    assert parse_time(None, now=NOW) == NOW
