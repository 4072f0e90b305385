"""The Graph API for Pages: one dispatcher for ``/vNN.0/{id}[/{edge}]`` (any version, or none).

Nodes: the Page (or ``me``), its posts (``{page}_{n}``) and photos. Edges: ``feed``, ``posts``,
``published_posts``, ``scheduled_posts`` and ``photos`` on the Page; ``insights``, ``comments``,
``reactions`` and ``likes`` on a post. Photos: 4 MB at most, jpeg/png/gif/webp.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from sandbox.auth import graph_page, graph_token
from sandbox.clock import parse_iso
from sandbox.core import GRAPH_HEADERS, GRAPH_VERSION, Sandbox, graph_json, sandbox_of
from sandbox.errors import graph_invalid_parameter, graph_rate_limited, graph_unknown_object
from sandbox.graph_fields import parse_fields, render_page, render_photo, render_post
from sandbox.graph_insights import insights
from sandbox.graph_publish import create_photo, create_post
from sandbox.model import FbPage, Post

_VERSION = re.compile(r"^v\d+\.\d+$")
_LIST_EDGES = ("feed", "posts", "published_posts", "scheduled_posts")
GRAPH_HOST = "https://graph.facebook.com"


async def dispatch(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    segments = [s for s in request.path.split("/") if s]
    version = segments.pop(0) if segments and _VERSION.match(segments[0]) else None
    request[GRAPH_VERSION] = version or "v23.0"
    form = await _form(request)
    page = graph_page(sb.store, graph_token(request, {k: v for k, v in form.items() if isinstance(v, str)}))
    code, headers = sb.graph_usage.hit(page.id, sb.clock.now_ts())
    request[GRAPH_HEADERS] = headers
    if code is not None:
        raise graph_rate_limited(code)
    if not segments:
        raise graph_unknown_object("", request.method.lower())
    node_id = page.id if segments[0] == "me" else segments[0]
    method = request.method.lower()
    if len(segments) == 1:
        return _node(sb, request, page, node_id, method)
    if len(segments) in (2, 3) and method in ("get", "post"):
        return await _edge(sb, request, page, node_id, segments[1:], form)
    raise graph_unknown_object(node_id, method)


async def _form(request: web.Request) -> dict[str, Any]:
    # Not `can_read_body`: it is False once the fault middleware has read (and aiohttp cached) the form.
    if request.method not in ("POST", "PUT", "DELETE"):
        return {}
    return dict(await request.post())


def _own_post(sb: Sandbox, page: FbPage, node_id: str, method: str) -> Post:
    post = sb.store.posts.get(node_id) or sb.store.photos.get(node_id)
    if post is None or post.account_id != page.id or post.deleted_at is not None:
        raise graph_unknown_object(node_id, method)
    return post


def _node(sb: Sandbox, request: web.Request, page: FbPage, node_id: str, method: str) -> web.Response:
    if method == "get":
        specs = parse_fields(request.query.get("fields", ""))
        if node_id in sb.store.pages:
            return graph_json(render_page(sb.store.pages[node_id], specs))
        post = _own_post(sb, page, node_id, method)
        if node_id == post.photo_id:
            return graph_json(render_photo(sb, post, specs, _base(request)))
        return graph_json(render_post(sb, post, specs, _base(request)))
    if method == "delete":
        sb.store.delete_post(_own_post(sb, page, node_id, method), sb.now())
        return graph_json({"success": True})
    raise graph_unknown_object(node_id, method)


async def _edge(
    sb: Sandbox, request: web.Request, page: FbPage, node_id: str, rest: list[str], form: dict[str, Any]
) -> web.Response:
    edge, method = rest[0], request.method.lower()
    if node_id == page.id and method == "post" and len(rest) == 1:
        if edge == "feed":
            return graph_json(create_post(sb, page, form))
        if edge == "photos":
            return graph_json(create_photo(sb, page, form))
    if node_id == page.id and method == "get" and len(rest) == 1 and edge in _LIST_EDGES:
        return graph_json(_list(sb, request, page, edge))
    if method == "get" and edge in ("insights", "comments", "reactions", "likes"):
        post = _own_post(sb, page, node_id, method)
        if edge == "insights":
            metric = rest[1] if len(rest) == 2 else request.query.get("metric", "")
            return graph_json(insights(sb, post, metric))
        specs = parse_fields(f"{edge}.summary({request.query.get('summary', 'false')})")
        return graph_json(render_post(sb, post, specs, _base(request))[edge])
    raise graph_unknown_object(node_id, method)


def _list(sb: Sandbox, request: web.Request, page: FbPage, edge: str) -> dict[str, Any]:
    """One page of the Page's posts, newest first, with cursors and a ``next`` URL carrying the token."""
    now, query = sb.now(), request.query
    if edge == "scheduled_posts":
        posts = [
            p
            for p in reversed(sb.store.timelines[page.id])
            if p.deleted_at is None and not p.visible_at(now) and p.scheduled_at is not None
        ]
    else:
        posts = sb.store.visible_timeline(page.id, now)
    posts = _between(posts, query.get("since"), query.get("until"))
    limit_text = query.get("limit", "25")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= 100:
        raise graph_invalid_parameter("The parameter limit must be between 1 and 100")
    limit = int(limit_text)
    after = query.get("after")
    if after:
        ids = [p.id for p in posts]
        anchor = _decode_cursor(after)
        if anchor not in ids:
            raise graph_invalid_parameter("The after cursor is invalid")
        posts = posts[ids.index(anchor) + 1 :]
    chunk = posts[:limit]
    specs = parse_fields(query.get("fields", ""))
    body: dict[str, Any] = {"data": [render_post(sb, p, specs, _base(request)) for p in chunk]}
    if chunk:
        cursors = {"before": _cursor(chunk[0].id), "after": _cursor(chunk[-1].id)}
        body["paging"] = {"cursors": cursors}
        if len(posts) > limit:
            params = {k: v for k, v in query.items() if k not in ("after", "before", "access_token", "limit")}
            params |= {
                "access_token": graph_token(request, {}) or "",
                "limit": str(limit),
                "after": cursors["after"],
            }
            version = request[GRAPH_VERSION]
            body["paging"]["next"] = f"{GRAPH_HOST}/{version}/{page.id}/{edge}?{urlencode(params)}"
    return body


def _between(posts: list[Post], since: str | None, until: str | None) -> list[Post]:
    """The ``since`` / ``until`` filters (Unix seconds or ISO 8601) of the Graph API's edges."""
    if since:
        start = _instant(since)
        posts = [p for p in posts if p.created_at >= start]
    if until:
        end = _instant(until)
        posts = [p for p in posts if p.created_at <= end]
    return posts


def _instant(value: str) -> datetime:
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value), UTC)
        return parse_iso(value)
    except ValueError:
        raise graph_invalid_parameter(f"Invalid time value {value!r} for since/until") from None


def _cursor(post_id: str) -> str:
    return base64.urlsafe_b64encode(post_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def routes() -> list[web.RouteDef]:
    return [web.route("*", "/{tail:.*}", dispatch)]
