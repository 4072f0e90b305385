"""The sandbox's own API under ``/_sandbox``: ground truth, clock, faults, accounts, limits, reset.
Documented in sandbox/README.md. Not a platform API: errors are ``{"error": "..."}`` with 400."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from campaigns import demo_accounts
from sandbox.clock import iso_ms, parse_iso
from sandbox.core import Sandbox, dumps, sandbox_of
from sandbox.faults import FaultSpecError
from sandbox.model import Post


class AdminError(ValueError):
    pass


def ok(body: object, status: int = 200) -> web.Response:
    return web.Response(body=dumps(body), status=status, content_type="application/json")


async def body_of(request: web.Request, *, list_allowed: bool = False) -> Any:
    try:
        body = json.loads(await request.read() or b"{}")
    except ValueError:
        raise AdminError("the body must be JSON") from None
    if not (isinstance(body, dict) or (list_allowed and isinstance(body, list))):
        raise AdminError("the body must be a JSON object")  # an array or a string ended in a 500
    return body


def post_truth(sb: Sandbox, post: Post, base_url: str) -> dict[str, Any]:
    """What was published, as tests and benchmarks check it."""
    if post.platform == "x":
        account = sb.store.x_accounts.get(post.account_id)
        handle = account.username if account else post.account_id
    else:
        page = sb.store.pages.get(post.account_id)
        handle = page.name if page else post.account_id
    media = []
    for media_id in post.media_ids:
        item = sb.store.media[media_id]
        url = item.source_url or f"{base_url}/_sandbox/media/{item.id}"
        media.append(
            {
                "id": item.id,
                "type": item.media_type,
                "alt_text": item.alt_text,
                "size": item.total_bytes,
                "url": url,
            }
        )
    return {
        "platform": post.platform,
        "id": post.id,
        "account_id": post.account_id,
        "account": handle,
        "text": post.text,
        "link": post.link,
        "media": media,
        "in_reply_to": post.in_reply_to,
        "conversation_id": post.conversation_id,
        "photo_id": post.photo_id,
        "published": post.published,
        "scheduled_at": iso_ms(post.scheduled_at) if post.scheduled_at else None,
        "created_at": iso_ms(post.created_at),
        "deleted_at": iso_ms(post.deleted_at) if post.deleted_at else None,
    }


async def list_posts(request: web.Request) -> web.Response:
    sb, query = sandbox_of(request), request.query
    posts = [
        post_truth(sb, p, f"{request.scheme}://{request.host}")
        for p in sb.store.posts.values()
        if query.get("platform", p.platform) == p.platform
        and query.get("account", p.account_id) == p.account_id
    ]
    return ok({"posts": posts})


async def clock(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    if request.method == "POST":
        body = await body_of(request)
        if "now" in body:
            try:
                sb.clock.set(parse_iso(str(body["now"])), frozen=bool(body.get("frozen", True)))
            except ValueError as e:
                raise AdminError(f"now: {e}") from None
        if "advance" in body:
            if not isinstance(body["advance"], int | float):
                raise AdminError("advance is a number of seconds")
            sb.clock.advance(float(body["advance"]))
        if body.get("real_time"):
            sb.clock.follow_real_time()
        sb.clock_changed()
    return ok({"now": iso_ms(sb.now()), "frozen": sb.clock.frozen})


async def faults(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    if request.method == "DELETE":
        sb.faults.clear()
    elif request.method == "POST":
        body = await body_of(request, list_allowed=True)
        specs = body if isinstance(body, list) else [body]
        try:
            added = [sb.faults.add(spec).as_dict() for spec in specs]
        except FaultSpecError as e:
            raise AdminError(str(e)) from None
        return ok({"faults": added}, 201)
    return ok({"faults": [f.as_dict() for f in sb.faults.active]})


async def delete_fault(request: web.Request) -> web.Response:
    fault_id = request.match_info["id"]
    if not fault_id.isdigit() or not sandbox_of(request).faults.remove(int(fault_id)):
        raise AdminError(f"no fault {fault_id}")
    return ok({"deleted": True})


def _accounts(sb: Sandbox) -> dict[str, Any]:
    x = [
        {
            "platform": "x",
            "id": a.id,
            "username": a.username,
            "name": a.name,
            "consumer_key": demo_accounts.X_CONSUMER_KEY,
            "consumer_secret": demo_accounts.X_CONSUMER_SECRET,
            "access_token": a.access_token,
            "access_token_secret": a.access_token_secret,
            "bearer_token": demo_accounts.X_BEARER_TOKEN,
        }
        for a in sb.store.x_accounts.values()
    ]
    fb = [
        {"platform": "facebook", "id": p.id, "name": p.name, "access_token": p.access_token}
        for p in sb.store.pages.values()
    ]
    return {"accounts": x + fb}


async def accounts(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    if request.method == "POST":
        body = await body_of(request)
        if not isinstance(body, dict):
            raise AdminError("the body must be a JSON object")
        return ok(add_account(sb, body), 201)
    return ok(_accounts(sb))


def add_account(sb: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """``{"count": n}`` (the demo family 1..n), ``{"platform": "x", "username": ...}`` or
    ``{"platform": "facebook", "name": ...}``; ids and tokens are derived when not given."""
    store = sb.store
    if "count" in body:
        count = body["count"]
        if not isinstance(count, int) or not 0 <= count <= 10_000:
            raise AdminError("count must be an integer from 0 to 10000")
        store.add_family(count)
        return _accounts(sb)
    platform = body.get("platform")
    if platform == "x":
        user_id = str(body.get("id") or 1_500_000_000_000_100_000 + len(store.x_accounts))
        username = str(body.get("username") or f"user{user_id[-6:]}")
        if user_id in store.x_accounts or username.lower() in store.x_by_username:
            raise AdminError(f"X account {user_id} / {username} exists already")
        account = store.add_x_account(
            user_id,
            username,
            str(body.get("name") or username),
            str(body.get("access_token") or f"{user_id}-sandbox-access-token"),
            str(body.get("access_token_secret") or f"{user_id}-sandbox-secret"),
        )
        return next(a for a in _accounts(sb)["accounts"] if a["id"] == account.id)
    if platform == "facebook":
        page_id = str(body.get("id") or 100_000_000_100_000 + len(store.pages))
        if page_id in store.pages:
            raise AdminError(f"Page {page_id} exists already")
        page = store.add_page(
            page_id,
            str(body.get("name") or f"Page {page_id}"),
            str(body.get("access_token") or f"{page_id}-sandbox-page-token"),
        )
        return {"platform": "facebook", "id": page.id, "name": page.name, "access_token": page.access_token}
    raise AdminError('platform must be "x" or "facebook" (or give "count")')


async def apps(request: web.Request) -> web.Response:
    """``{"consumer_key", "consumer_secret", ["bearer_token"]}``: one more X app the sandbox accepts,
    e.g. a deployment's own credentials pointed at the sandbox. Answers the keys, never the secrets."""
    store = sandbox_of(request).store
    if request.method == "POST":
        body = await body_of(request)
        values = [body.get(k) for k in ("consumer_key", "consumer_secret")]
        bearer = body.get("bearer_token")
        if not all(isinstance(v, str) and v for v in values) or not isinstance(bearer, str | None):
            raise AdminError("an app is {consumer_key, consumer_secret, [bearer_token]}, all strings")
        store.add_app(values[0], values[1], bearer)
        return ok({"apps": sorted(store.apps)}, 201)
    return ok({"apps": sorted(store.apps)})


async def limits(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    if request.method == "POST":
        body = await body_of(request)
        if not isinstance(body, dict) or not all(isinstance(v, int) and v > 0 for v in body.values()):
            raise AdminError('limits are {"POST /2/tweets": requests per 15 minutes, ...}')
        sb.limiter.overrides.update(body)
    return ok({"limits": sb.limiter.overrides})


async def reset(request: web.Request) -> web.Response:
    sandbox_of(request).reset()
    return ok({"reset": True})


async def media(request: web.Request) -> web.Response:
    item = sandbox_of(request).store.media.get(request.match_info["id"])
    if item is None or not item.data:
        raise web.HTTPNotFound(text="no such media", content_type="text/plain")
    return web.Response(body=item.data, content_type=item.media_type)


async def credits(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    if request.method == "POST":
        body = await body_of(request)
        reads = body.get("reads") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not (reads is None or (isinstance(reads, int) and reads >= 0)):
            raise AdminError('credits are {"reads": posts that may still be read, or null for unlimited}')
        sb.credits.refill(reads)
    return ok({"reads": sb.credits.balance, "spent": sb.credits.spent})


def routes() -> list[web.RouteDef]:
    return [
        web.get("/_sandbox/posts", list_posts),
        *_read_and_write("/_sandbox/clock", clock),
        *_read_and_write("/_sandbox/faults", faults),
        web.delete("/_sandbox/faults", faults),
        web.delete("/_sandbox/faults/{id}", delete_fault),
        *_read_and_write("/_sandbox/accounts", accounts),
        *_read_and_write("/_sandbox/apps", apps),
        *_read_and_write("/_sandbox/limits", limits),
        web.post("/_sandbox/reset", reset),
        web.get("/_sandbox/media/{id}", media),
        *_read_and_write("/_sandbox/credits", credits),
        web.route("*", "/_sandbox/{tail:.*}", unknown),  # before the Graph API's catch-all
    ]


async def unknown(request: web.Request) -> web.Response:
    """A wrong method on an admin route is a 405 naming the right ones; an unknown path a 404."""
    allowed = sorted(
        route.method
        for route in request.app.router.routes()
        if route.method not in ("*", "HEAD")
        and route.resource is not None
        and route.resource.canonical == request.path
    )
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed, text=f"use {', '.join(allowed)}")
    raise web.HTTPNotFound(text=f"no sandbox admin route {request.path}")


Handler = Callable[[web.Request], Awaitable[web.Response]]


def _read_and_write(path: str, handler: Handler) -> list[web.RouteDef]:
    # GET reads, POST changes; any other method is a 405, not a silent read.
    return [web.get(path, handler, allow_head=False), web.post(path, handler)]
