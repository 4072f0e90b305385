"""The aiohttp application: routes, and the one middleware every platform request goes through
(faults first, then the handler; platform-shaped errors, never a stack trace; rate-limit and
usage headers on every reply)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from sandbox import admin, graph_routes, html, x_counts, x_media, x_search, x_tweets
from sandbox.admin import AdminError
from sandbox.auth import graph_token
from sandbox.core import (
    GRAPH_HEADERS,
    GRAPH_VERSION,
    SANDBOX,
    X_RATE_HEADERS,
    Options,
    Sandbox,
    graph_json,
    x_json,
)
from sandbox.errors import (
    PlatformError,
    graph_error,
    graph_rate_limited,
    graph_revoked_token,
    graph_server_error,
    x_problem,
    x_server_error,
    x_too_many_requests,
    x_unauthorized,
)
from sandbox.faults import Fault
from sandbox.ratelimit import X_WINDOW, headers

log = logging.getLogger("sandbox")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")
MAX_BODY = 32 * 1024 * 1024  # above X's 5 MB image as base64 and a 4 MB Facebook photo


def make_app(options: Options | None = None, state_path: Path | None = None) -> web.Application:
    app = web.Application(middlewares=[platform_middleware], client_max_size=MAX_BODY)
    app[SANDBOX] = Sandbox(options or Options(), state_path)
    app.router.add_get("/", html.index)
    app.router.add_routes(admin.routes())
    app.router.add_routes(x_search.routes() + x_counts.routes() + x_media.routes() + x_tweets.routes())
    app.router.add_route("*", "/2/{tail:.*}", x_unknown_route)
    app.router.add_routes(graph_routes.routes())
    app.on_cleanup.append(_close_state)
    return app


async def _close_state(app: web.Application) -> None:
    sb = app[SANDBOX]
    sb.closing = True
    if sb.store.state is not None:
        sb.store.state.close()


async def x_unknown_route(request: web.Request) -> web.Response:
    raise x_problem(
        404, "Not Found Error", f"Sorry, that page does not exist: {request.method} {request.path}"
    )


def route_key(method: str, path: str) -> str:
    return f"{method} {_ID_SEGMENT.sub('/:id', path)}"


@web.middleware
async def platform_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path == "/" or path.startswith("/_sandbox/"):
        try:
            return await handler(request)
        except AdminError as e:
            return admin.ok({"error": str(e)}, 400)
    sb = request.app[SANDBOX]
    platform = "x" if path.startswith("/2/") else "facebook"
    try:
        response = await (
            _with_faults(sb, request, handler, platform) if sb.faults.active else handler(request)
        )
    except PlatformError as e:
        response = _error_response(e, platform)
    except web.HTTPException as e:  # aiohttp's own, e.g. 413 for an oversized body
        response = _error_response(_translate(e, platform), platform)
    except Exception:
        log.exception("sandbox: unhandled error in %s %s", request.method, path)
        response = _error_response(
            x_server_error(500) if platform == "x" else graph_server_error(500), platform
        )
    _add_headers(sb, request, response, platform)
    return response


def _error_response(error: PlatformError, platform: str) -> web.Response:
    response = x_json(error.body, error.status) if platform == "x" else graph_json(error.body, error.status)
    response.headers.update(error.headers)
    return response


def _translate(error: web.HTTPException, platform: str) -> PlatformError:
    if platform == "x":
        return x_problem(error.status, error.reason, error.text or error.reason)
    return graph_error(f"(#100) {error.reason}", 100, status=error.status)


def _add_headers(sb: Sandbox, request: web.Request, response: web.StreamResponse, platform: str) -> None:
    if platform == "x":
        rate = request.get(X_RATE_HEADERS)
        if rate is None:  # refused before it was counted (e.g. 401): a fresh window's figures
            limit = sb.limiter.limit_for(route_key(request.method, request.path), "app")
            rate = headers(limit, limit, int(sb.clock.now_ts()) + X_WINDOW)
        response.headers.update(rate)
    else:
        usage = request.get(GRAPH_HEADERS) or sb.graph_usage.headers(None, sb.clock.now_ts(), saturated=False)
        response.headers.update(usage)
        response.headers["facebook-api-version"] = request.get(GRAPH_VERSION, "v23.0")


async def _identities(sb: Sandbox, request: web.Request, platform: str) -> tuple[str, ...]:
    """Who the request claims to be (unverified), to match faults scoped to an account."""
    if platform == "x":
        account = sb.x_auth.token_owner(request)
        return (account.id, account.username) if account else ("app",)
    form = {}
    if request.method == "POST" and request.can_read_body:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    page = sb.store.pages_by_token.get(graph_token(request, form) or "")
    return (page.id,) if page else ()


async def _with_faults(
    sb: Sandbox, request: web.Request, handler: Handler, platform: str
) -> web.StreamResponse:
    accounts = await _identities(sb, request, platform)
    terminal: Fault | None = None
    for fault in sb.faults.triggered(platform, request.method, request.path, accounts):
        if fault.kind == "latency":
            await asyncio.sleep(fault.seconds)
        elif terminal is None:
            terminal = fault
    if terminal is None:
        return await handler(request)
    if terminal.kind == "hang":
        return await _hang(sb, request, terminal.seconds)
    if terminal.kind == "cut":
        return await _cut(request, handler)
    if terminal.kind == "error":
        raise x_server_error(terminal.status) if platform == "x" else graph_server_error(terminal.status)
    if terminal.kind == "revoke":
        raise x_unauthorized() if platform == "x" else graph_revoked_token()
    # rate_limit: a storm of 429s (X) or Graph rate-limit errors, with spent-window headers.
    now = sb.clock.now_ts()
    if platform == "x":
        request[X_RATE_HEADERS] = sb.limiter.exhaust(
            route_key(request.method, request.path), accounts[0], now, reset_in=terminal.reset_in
        )
        raise x_too_many_requests()
    request[GRAPH_HEADERS] = sb.graph_usage.headers(
        accounts[0] if accounts else None, now, saturated=True, regain_in=terminal.reset_in
    )
    raise graph_rate_limited(terminal.code or 32)


async def _hang(sb: Sandbox, request: web.Request, seconds: float) -> web.StreamResponse:
    """Answer nothing until the client gives up (or the limit passes): then drop the connection."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(seconds, sb.options.hang_limit_seconds)
    while loop.time() < deadline and not sb.closing:
        transport = request.transport
        if transport is None or transport.is_closing():
            break
        await asyncio.sleep(0.05)
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=504)  # never delivered: the connection is gone


async def _cut(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Do the work (the post is stored), then drop the connection instead of answering."""
    with contextlib.suppress(PlatformError):  # the client sees a dropped connection whatever the outcome
        await handler(request)
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=502)  # never delivered
