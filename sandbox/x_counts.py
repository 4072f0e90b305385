"""``GET /2/tweets/counts/recent``: how many posts of the last 7 days match a query, per bucket.

The same query language and candidates as recent search (``x_search``). Buckets are aligned on
UTC minute, hour or day boundaries (``granularity``, default hour); the first starts at
``start_time`` and the last ends at ``end_time`` (defaults: 7 days ago, now), oldest first, as X
answers: ``{"data": [{"end", "start", "tweet_count"}], "meta": {"total_tweet_count"}}``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from sandbox.clock import iso_ms, parse_iso
from sandbox.core import sandbox_of, x_json
from sandbox.errors import x_invalid_request
from sandbox.x_search import MAX_QUERY, SEARCH_WINDOW, QueryError, _Parser, _query_error, candidates
from sandbox.x_tweets import window

GRANULARITY = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def counts_recent(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    principal = await sb.x_auth.reader(request)
    sb.x_limit(request, "GET /2/tweets/counts/recent", principal)
    sb.credits.check()
    query = request.query
    text = query.get("query", "")
    if not text or len(text) > MAX_QUERY:
        raise x_invalid_request(f"The `query` query parameter must be 1 to {MAX_QUERY} characters.", "query")
    granularity = query.get("granularity", "hour")
    if granularity not in GRANULARITY:
        raise x_invalid_request(
            f"The `granularity` query parameter value [{granularity}] is not one of [day,hour,minute]",
            "granularity",
            [granularity],
        )
    parser = _Parser(sb, text)
    try:
        predicate = parser.parse()
    except QueryError as e:
        raise _query_error(str(e)) from None
    now = sb.now()
    start, end = _bounds(query.get("start_time"), query.get("end_time"), now)
    matching = window([p for p in candidates(sb, parser.tags) if predicate(p)], query)
    times = [p.created_at for p in matching if start <= p.created_at < end]
    data = [
        {
            "end": iso_ms(b_end),
            "start": iso_ms(b_start),
            "tweet_count": sum(b_start <= t < b_end for t in times),
        }
        for b_start, b_end in buckets(start, end, GRANULARITY[granularity])
    ]
    sb.credits.charge(1)  # X bills a counts request, not the posts it counts
    return x_json({"data": data, "meta": {"total_tweet_count": len(times)}})


def _bounds(start_raw: str | None, end_raw: str | None, now: datetime) -> tuple[datetime, datetime]:
    try:
        start = parse_iso(start_raw) if start_raw else now - SEARCH_WINDOW
        end = parse_iso(end_raw) if end_raw else now
    except ValueError:
        raise x_invalid_request(
            "Invalid `start_time` or `end_time`: use RFC 3339 (YYYY-MM-DDTHH:mm:ssZ)."
        ) from None
    oldest = now - SEARCH_WINDOW
    if start < oldest:
        raise x_invalid_request(
            f"Invalid 'start_time':'{start_raw}'. 'start_time' must be on or after {iso_ms(oldest)}",
            "start_time",
            [start_raw or ""],
        )
    if end > now or end <= start:
        raise x_invalid_request(
            f"Invalid 'end_time':'{end_raw}'. 'end_time' must be after 'start_time' and not in the future",
            "end_time",
            [end_raw or ""],
        )
    return start, end


def buckets(start: datetime, end: datetime, size: timedelta) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at every multiple of ``size`` since the epoch (UTC boundaries)."""
    cuts = []
    at = start
    while at < end:
        boundary = _EPOCH + ((at - _EPOCH) // size + 1) * size
        cuts.append((at, min(boundary, end)))
        at = boundary
    return cuts


def routes() -> list[web.RouteDef]:
    return [web.get("/2/tweets/counts/recent", counts_recent)]
