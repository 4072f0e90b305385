"""X API v2: create, delete and read tweets; the user's own profile and timeline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from aiohttp import web

from sandbox.clock import parse_iso
from sandbox.core import Sandbox, sandbox_of, x_json
from sandbox.errors import (
    PlatformError,
    x_duplicate,
    x_forbidden,
    x_invalid_request,
    x_not_found_error,
    x_problem,
)
from sandbox.ids import decode_token, encode_token
from sandbox.model import Post
from sandbox.x_render import Fields, page, parse_fields, user_json, wrapped
from sandbox.x_text import too_long

MEDIA_LIFETIME = timedelta(hours=24)
TIMELINE_DEPTH = 3200  # X serves at most the 3,200 most recent posts of a timeline


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"null")
    except (ValueError, UnicodeDecodeError):
        raise x_problem(
            400,
            "Invalid Request",
            "Your request body is not valid JSON.",
            "https://api.twitter.com/2/problems/invalid-request",
        ) from None
    if not isinstance(body, dict):
        raise x_invalid_request("The request body must be a JSON object.")
    return body


def dig(body: object, *keys: str) -> Any:
    """``body[k1][k2]...``, or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


def _ids(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise x_invalid_request(f"`{name}` must be a list of ids.", name)
    return [str(v) for v in value]


async def create_tweet(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    user = await sb.x_auth.user(request)
    sb.x_limit(request, "POST /2/tweets", user.id)
    body = await read_json(request)
    now = sb.now()
    text = body.get("text", "")
    if not isinstance(text, str):
        raise x_invalid_request("`text` must be a string.", "text")
    if not isinstance(body.get("media", {}), dict):
        raise x_invalid_request("`media` must be an object.", "media")
    media_ids = _ids(dig(body, "media", "media_ids") or [], "media.media_ids")
    if not text.strip() and not media_ids:
        raise x_invalid_request("Post text or media is required.", "text")
    if len(media_ids) > 4:
        raise x_invalid_request("Your media IDs are invalid.", "media.media_ids", media_ids)
    for media_id in media_ids:
        media = sb.store.media.get(media_id)
        if (
            media is None
            or media.owner_id != user.id
            or media.state != "succeeded"
            or now - media.created_at > MEDIA_LIFETIME
        ):
            raise x_invalid_request("Your media IDs are invalid.", "media.media_ids", [media_id])
    if too_long(text):
        raise x_problem(
            400,
            "Bad Request",
            "Your Tweet text is too long. For more information on how Twitter "
            "determines text length see https://github.com/twitter/twitter-text.",
        )
    parent = _reply_target(sb, body.get("reply"))
    if sb.store.is_duplicate(user.id, text, None, now):
        raise x_duplicate()
    post = sb.store.new_post(
        "x",
        user.id,
        text,
        now,
        media_ids=tuple(media_ids),
        in_reply_to=parent.id if parent else None,
        in_reply_to_user=parent.account_id if parent else None,
        conversation_id=(parent.conversation_id or parent.id) if parent else None,
    )
    text = wrapped(sb, post).text  # X answers with the stored text: links already t.co
    return x_json({"data": {"id": post.id, "text": text, "edit_history_tweet_ids": [post.id]}}, 201)


def _reply_target(sb: Sandbox, reply: object) -> Post | None:
    if reply is None:
        return None
    target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
    if target is None:
        raise x_invalid_request("`reply.in_reply_to_tweet_id` is required.", "reply.in_reply_to_tweet_id")
    parent = find_post(sb, str(target))
    if parent is None:
        raise x_forbidden("You attempted to reply to a Tweet that is deleted or not visible to you.")
    return parent


def find_post(sb: Sandbox, post_id: str) -> Post | None:
    post = sb.store.posts.get(post_id) or sb.chatter.by_id.get(post_id)
    return post if post is not None and post.platform == "x" and post.visible_at(sb.now()) else None


def _check_id(value: str, name: str = "id") -> str:
    if not value.isdigit() or len(value) > 19:
        raise x_invalid_request(f"The `{name}` query parameter value [{value}] is not valid", name, [value])
    return value


async def delete_tweet(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    user = await sb.x_auth.user(request)
    sb.x_limit(request, "DELETE /2/tweets/:id", user.id)
    post = find_post(sb, _check_id(request.match_info["id"]))
    if post is None:
        raise PlatformError(
            404,
            {
                "errors": [x_not_found_error("tweet", "id", request.match_info["id"])],
                "title": "Not Found Error",
                "detail": "Could not find the Tweet.",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            },
        )
    if post.account_id != user.id:
        raise x_forbidden("You are not allowed to delete this Tweet.")
    sb.store.delete_post(post, sb.now())
    return x_json({"data": {"deleted": True}})


async def get_tweet(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    principal = await sb.x_auth.reader(request)
    sb.x_limit(request, "GET /2/tweets/:id", principal)
    sb.credits.check()
    fields = parse_fields(request.query)
    tweet_id = _check_id(request.match_info["id"])
    post = find_post(sb, tweet_id)
    if post is None:
        return x_json({"errors": [x_not_found_error("tweet", "id", tweet_id)]})
    sb.credits.charge(1)
    body = page(sb, [post], fields, base_url(request))
    body["data"] = body["data"][0]
    return x_json(body)


async def get_tweets(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    principal = await sb.x_auth.reader(request)
    sb.x_limit(request, "GET /2/tweets", principal)
    sb.credits.check()
    fields = parse_fields(request.query)
    ids = [i for i in request.query.get("ids", "").split(",") if i]
    if not 1 <= len(ids) <= 100:
        raise x_invalid_request("The `ids` query parameter must have 1 to 100 ids.", "ids", ids[:1])
    found, errors = [], []
    for tweet_id in ids:
        post = find_post(sb, _check_id(tweet_id, "ids"))
        if post is None:
            errors.append(x_not_found_error("tweet", "id", tweet_id))
        else:
            found.append(post)
    sb.credits.charge(len(found))  # X bills the posts returned, not the ids asked for
    body = page(sb, found, fields, base_url(request))
    if errors:
        body["errors"] = errors
    return x_json(body)


async def get_me(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    user = await sb.x_auth.user(request)
    sb.x_limit(request, "GET /2/users/me", user.id)
    return x_json({"data": user_json(sb, user.id, parse_fields(request.query))})


async def get_user_tweets(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    principal = await sb.x_auth.reader(request)
    sb.x_limit(request, "GET /2/users/:id/tweets", principal)
    sb.credits.check()
    fields = parse_fields(request.query)
    user_id = _check_id(request.match_info["id"])
    if user_id not in sb.store.x_accounts:
        return x_json({"errors": [x_not_found_error("user", "id", user_id)]})
    query = request.query
    size = bounded_int(query, "max_results", 10, 5, 100)
    exclude = set(query.get("exclude", "").split(","))
    posts = sb.store.visible_timeline(user_id, sb.now())[:TIMELINE_DEPTH]
    if "replies" in exclude:
        posts = [p for p in posts if p.in_reply_to is None]
    posts = window(posts, query)
    token = query.get("pagination_token")
    return x_json(charged(sb, paginate(sb, request, posts, size, token, fields, "pagination_token")))


def charged(sb: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """Bill a page of posts to the read credits (see sandbox/x_budget.py); returns it."""
    sb.credits.charge(len(body.get("data", ())))
    return body


def bounded_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise x_invalid_request(
            f"The `{name}` query parameter value [{raw}] is not between {low} and {high}", name, [raw]
        )
    return int(raw)


def window(posts: list[Post], query: Mapping[str, str]) -> list[Post]:
    """Apply since_id / until_id / start_time / end_time to newest-first posts."""
    since, until = query.get("since_id"), query.get("until_id")
    try:
        start = parse_iso(query["start_time"]) if "start_time" in query else None
        end = parse_iso(query["end_time"]) if "end_time" in query else None
    except ValueError:
        raise x_invalid_request(
            "Invalid `start_time` or `end_time`: use RFC 3339 (YYYY-MM-DDTHH:mm:ssZ)."
        ) from None
    if since:
        posts = [p for p in posts if int(p.id) > int(_check_id(since, "since_id"))]
    if until:
        posts = [p for p in posts if int(p.id) < int(_check_id(until, "until_id"))]
    if start:
        posts = [p for p in posts if p.created_at >= start]
    if end:
        posts = [p for p in posts if p.created_at < end]
    return posts


def paginate(
    sb: Sandbox,
    request: web.Request,
    posts: list[Post],
    size: int,
    token: str | None,
    fields: Fields,
    token_name: str,
) -> dict[str, Any]:
    """One page of newest-first posts, with X's ``meta`` (newest_id, oldest_id, result_count, next_token)."""
    if token:
        below = decode_token(token)
        if below is None:
            raise x_invalid_request(
                f"The `{token_name}` query parameter value [{token}] is not valid", token_name, [token]
            )
        posts = [p for p in posts if int(p.id) < below]
    chunk, more = posts[:size], len(posts) > size
    body = page(sb, chunk, fields, base_url(request))
    meta: dict[str, Any] = {"result_count": len(chunk)}
    if chunk:
        meta = {"newest_id": chunk[0].id, "oldest_id": chunk[-1].id, **meta}
    if more:
        meta["next_token"] = encode_token(int(chunk[-1].id))
    body["meta"] = meta
    return body


def base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def routes() -> list[web.RouteDef]:
    return [
        web.post("/2/tweets", create_tweet),
        web.get("/2/tweets", get_tweets),
        web.get("/2/users/me", get_me),
        web.get("/2/users/{id}/tweets", get_user_tweets),
        web.get("/2/tweets/{id}", get_tweet),
        web.delete("/2/tweets/{id}", delete_tweet),
    ]
