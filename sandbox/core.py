"""The running sandbox: its options, clock, state, limits and faults, and JSON responses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.auth import XAuthenticator
from sandbox.clock import Clock
from sandbox.errors import x_too_many_requests
from sandbox.faults import Faults
from sandbox.ratelimit import GRAPH_PAGE_CALLS_PER_HOUR, GraphUsage, XLimiter
from sandbox.simulation import Chatter, SimUser
from sandbox.store import Store
from sandbox.x_budget import Credits

X_JSON = "application/json; charset=utf-8"
GRAPH_JSON = "application/json; charset=UTF-8"
MB = 1024 * 1024


@dataclass
class Options:
    """How a sandbox is started. Every field can be passed to ``run_sandbox(**options)``."""

    seed: int = 0
    extra_accounts: int = 0  # the deterministic family of campaigns.demo_accounts (X accounts and Pages 1..n)
    limits: dict[str, int] = field(default_factory=dict)  # X route key -> requests per 15 min
    graph_page_calls_per_hour: int = GRAPH_PAGE_CALLS_PER_HOUR
    x_image_max_bytes: int = 5 * MB
    x_gif_max_bytes: int = 15 * MB
    x_video_max_bytes: int = 512 * MB
    fb_photo_max_bytes: int = 4 * MB  # Meta: "photos should be less than 4 MB" (PNG: 1 MB advised)
    hang_limit_seconds: float = 300.0  # a hung request is dropped after this at the latest
    x_read_credits: int | None = None  # X posts that may be read before 402 CreditsDepleted; None: no end


class Sandbox:
    def __init__(self, options: Options, state_path: Path | None = None) -> None:
        self.options = options
        self.clock = Clock()
        self.store = Store(extra_accounts=options.extra_accounts, state_path=state_path)
        self.chatter = Chatter(options.seed)
        self.faults = Faults(options.seed)
        self.limiter = XLimiter(options.limits)
        self.graph_usage = GraphUsage(options.graph_page_calls_per_hour)
        self.credits = Credits(options.x_read_credits)
        self.x_auth = XAuthenticator(self.store)
        self.closing = False
        if self.store.state is not None:
            saved_clock = self.store.state.get_meta("clock")
            if saved_clock:
                self.clock.restore(saved_clock)

    @property
    def seed(self) -> int:
        return self.options.seed

    def now(self) -> datetime:
        return self.clock.now()

    def clock_changed(self) -> None:
        if self.store.state is not None:
            self.store.state.set_meta("clock", self.clock.state())

    def reset(self) -> None:
        """Nothing published, real time, no faults, default limits, fresh windows."""
        self.store.reset()
        self.chatter.reset()
        self.faults.clear()
        self.clock.follow_real_time()
        self.limiter = XLimiter(self.options.limits)
        self.graph_usage.clear()
        self.credits.reset()

    def x_limit(self, request: web.Request, route: str, principal: str) -> None:
        """Count the request against its window; 429 when spent. Headers go on the reply either way."""
        allowed, headers = self.limiter.hit(route, principal, self.clock.now_ts())
        request[X_RATE_HEADERS] = headers
        if not allowed:
            raise x_too_many_requests()

    def x_author(self, account_id: str) -> SimUser:
        """Our account or a simulated one, as the few fields a rendered user needs."""
        account = self.store.x_accounts.get(account_id)
        if account is not None:
            return SimUser(account.id, account.username, account.name, account.followers)
        return self.chatter.users[account_id]


def x_json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(body=dumps(body), status=status, headers={"Content-Type": X_JSON})


def graph_json(body: dict[str, Any] | list[Any], status: int = 200) -> web.Response:
    return web.Response(body=dumps(body), status=status, headers={"Content-Type": GRAPH_JSON})


def dumps(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


SANDBOX = web.AppKey("sandbox", Sandbox)
# Per-request notes from the handlers to the middleware, which puts them on the reply.
X_RATE_HEADERS = web.RequestKey("x_rate_headers", dict[str, str])
GRAPH_HEADERS = web.RequestKey("graph_headers", dict[str, str])
GRAPH_VERSION = web.RequestKey("graph_version", str)


def sandbox_of(request: web.Request) -> Sandbox:
    return request.app[SANDBOX]
