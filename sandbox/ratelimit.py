"""Rate limits: X's fixed 15-minute windows per user (or per app for bearer reads), reported in
``x-rate-limit-*`` headers on every reply; and the Graph API's usage percentages per Page.

Windows run on the sandbox clock, so advancing it 15 minutes resets them. Limits are per route
key (``POST /2/tweets``) and can be raised for benchmarks (``limits=`` option or the admin API).
"""

from __future__ import annotations

import json
import math

# route key -> (per user, per app) requests per 15 minutes (docs.x.com rate-limits page, 2026).
X_DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "POST /2/tweets": (100, 10_000),
    "DELETE /2/tweets/:id": (50, 50),
    "GET /2/tweets/:id": (900, 450),
    "GET /2/tweets": (5000, 3500),
    "GET /2/users/me": (75, 75),
    "GET /2/users/:id/tweets": (900, 10_000),
    "GET /2/tweets/search/recent": (300, 450),
    "GET /2/tweets/counts/recent": (300, 300),
    "POST /2/media/upload": (500, 500),
    "POST /2/media/upload/initialize": (1875, 1875),
    "POST /2/media/upload/:id/append": (1875, 1875),
    "POST /2/media/upload/:id/finalize": (1875, 1875),
    "GET /2/media/upload": (1875, 1875),
    "POST /2/media/metadata": (500, 500),
}
X_WINDOW = 900
GRAPH_WINDOW = 3600
GRAPH_PAGE_CALLS_PER_HOUR = 4800  # Pages BUC: 4800 x engaged users; one "engaged user" here


class XLimiter:
    def __init__(self, overrides: dict[str, int] | None = None) -> None:
        self.overrides: dict[str, int] = dict(overrides or {})
        self._windows: dict[tuple[str, str], list[int]] = {}  # (route, principal) -> [reset, used]

    def limit_for(self, route: str, principal: str) -> int:
        if route in self.overrides:
            return self.overrides[route]
        per_user, per_app = X_DEFAULT_LIMITS.get(route, (900, 900))
        return per_app if principal == "app" else per_user

    def hit(self, route: str, principal: str, now: float) -> tuple[bool, dict[str, str]]:
        """Count one request; (allowed, the x-rate-limit-* headers to send)."""
        limit = self.limit_for(route, principal)
        window = self._windows.get((route, principal))
        if window is None or now >= window[0]:
            window = self._windows[(route, principal)] = [int(now) + X_WINDOW, 0]
        allowed = window[1] < limit
        if allowed:
            window[1] += 1
        return allowed, headers(limit, limit - window[1], window[0])

    def exhaust(
        self, route: str, principal: str, now: float, *, reset_in: float | None = None
    ) -> dict[str, str]:
        """Headers of a spent window (a 429 storm), without touching the real counters.

        ``reset_in``: seconds until it resets (a short storm in a test); default the real window's."""
        window = self._windows.get((route, principal))
        reset = window[0] if window is not None and now < window[0] else int(now) + X_WINDOW
        if reset_in is not None:
            reset = math.ceil(now + reset_in)
        return headers(self.limit_for(route, principal), 0, reset)

    def clear(self) -> None:
        self._windows.clear()


def headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(max(remaining, 0)),
        "x-rate-limit-reset": str(reset),
    }


class GraphUsage:
    """Call counts per Page and for the app, per hour, turned into Meta's usage headers."""

    def __init__(
        self, page_calls_per_hour: int = GRAPH_PAGE_CALLS_PER_HOUR, app_calls_per_hour: int = 200_000
    ) -> None:
        self.page_limit, self.app_limit = page_calls_per_hour, app_calls_per_hour
        self._pages: dict[str, list[int]] = {}
        self._app = [0, 0]

    def hit(self, page_id: str | None, now: float) -> tuple[int | None, dict[str, str]]:
        """Count one call; (the rate-limit error code to answer with or None, usage headers)."""
        app = self._count(self._app, now)
        page = self._count(self._pages.setdefault(page_id, [0, 0]), now) if page_id else None
        code = None
        if app[1] > self.app_limit:
            code = 4
        elif page is not None and page[1] > self.page_limit:
            code = 32
        return code, self.headers(page_id, now, saturated=False)

    def headers(
        self, page_id: str | None, now: float, *, saturated: bool, regain_in: float | None = None
    ) -> dict[str, str]:
        """``regain_in``: seconds until a saturated Page regains access (Meta says whole minutes,
        at least 1); default what is left of its real window."""
        app_pct = 100 if saturated else min(100, self._app[1] * 100 // self.app_limit)
        app_usage = {"call_count": app_pct, "total_cputime": app_pct // 2, "total_time": app_pct // 2}
        out = {"X-App-Usage": _compact(app_usage)}
        if page_id is not None:
            window = self._pages.get(page_id, [0, 0])
            pct = 100 if saturated else min(100, window[1] * 100 // self.page_limit)
            left = regain_in if regain_in is not None else window[0] + GRAPH_WINDOW - int(now)
            regain = max(1, math.ceil(left / 60) if regain_in is not None else int(left) // 60)
            regain = regain if pct >= 100 else 0
            usage = {"call_count": pct, "total_cputime": pct // 2, "total_time": pct // 2}
            out["X-Page-Usage"] = _compact(usage)
            out["X-Business-Use-Case-Usage"] = _compact(
                {page_id: [{"type": "pages", **usage, "estimated_time_to_regain_access": regain}]}
            )
        return out

    @staticmethod
    def _count(window: list[int], now: float) -> list[int]:
        if now >= window[0] + GRAPH_WINDOW:
            window[0], window[1] = int(now), 0
        window[1] += 1
        return window

    def clear(self) -> None:
        self._pages.clear()
        self._app = [0, 0]


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
