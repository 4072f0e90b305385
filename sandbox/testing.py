"""Running a sandbox inside tests and benchmarks: ``run_sandbox()`` and its handle.

    with run_sandbox(seed=1, extra_accounts=100) as sandbox:
        client.session.mount("https://api.twitter.com/", RoutingAdapter(sandbox.url, timeout=5))
        ...
        assert [p["text"] for p in sandbox.posts()] == ["hello"]

The server runs in a background thread with its own event loop; the handle's helpers call the
admin API over HTTP (see sandbox/README.md), so they behave exactly like a separate process.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.app import make_app
from sandbox.clock import parse_iso
from sandbox.core import SANDBOX, Options
from sandbox.serving import SandboxRunner


class SandboxError(RuntimeError):
    """The admin API refused a call (its one-line reason is the message)."""


class SandboxHandle:
    def __init__(self, host: str, port: int, app: web.Application) -> None:
        self.host, self.port = host, port
        self.url = f"http://{host}:{port}"
        self.app = app  # in-process access, e.g. handle.app[SANDBOX].store, for white-box checks

    @property
    def state(self) -> Any:
        return self.app[SANDBOX]

    def call(self, method: str, path: str, body: object = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            detail = json.loads(e.read() or b"{}").get("error", e.reason)
            e.close()
            raise SandboxError(f"{method} {path}: {detail}") from None

    def posts(self, *, platform: str | None = None, account: str | None = None) -> list[dict[str, Any]]:
        """Everything published (deleted posts included, with ``deleted_at``), oldest first."""
        query = "&".join(f"{k}={v}" for k, v in (("platform", platform), ("account", account)) if v)
        posts: list[dict[str, Any]] = self.call("GET", "/_sandbox/posts" + (f"?{query}" if query else ""))[
            "posts"
        ]
        return posts

    def now(self) -> datetime:
        return parse_iso(self.call("GET", "/_sandbox/clock")["now"])

    def set_clock(self, when: datetime, *, frozen: bool = True) -> None:
        self.call("POST", "/_sandbox/clock", {"now": when.isoformat(), "frozen": frozen})

    def advance(self, seconds: float) -> None:
        self.call("POST", "/_sandbox/clock", {"advance": seconds})

    def real_time(self) -> None:
        self.call("POST", "/_sandbox/clock", {"real_time": True})

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        fault: dict[str, Any] = self.call("POST", "/_sandbox/faults", spec)["faults"][0]
        return fault

    def faults(self) -> list[dict[str, Any]]:
        faults: list[dict[str, Any]] = self.call("GET", "/_sandbox/faults")["faults"]
        return faults

    def clear_faults(self) -> None:
        self.call("DELETE", "/_sandbox/faults")

    def add_account(self, **fields: Any) -> dict[str, Any]:
        """``add_account(platform="x", username="other")``, ``add_account(platform="facebook",
        name="Other Page")`` or ``add_account(count=100)``; returns the credentials."""
        account: dict[str, Any] = self.call("POST", "/_sandbox/accounts", fields)
        return account

    def add_app(self, consumer_key: str, consumer_secret: str, bearer_token: str | None = None) -> None:
        """One more X app (its keys sign any account's requests; its bearer token reads)."""
        app = {"consumer_key": consumer_key, "consumer_secret": consumer_secret, "bearer_token": bearer_token}
        self.call("POST", "/_sandbox/apps", app)

    def set_limits(self, limits: dict[str, int]) -> None:
        """Raise or lower X limits per 15 minutes, e.g. ``{"POST /2/tweets": 100_000}``."""
        self.call("POST", "/_sandbox/limits", limits)

    def reset(self) -> None:
        self.call("POST", "/_sandbox/reset")


class _ServerThread(threading.Thread):
    def __init__(self, app: web.Application, host: str, port: int) -> None:
        super().__init__(name="platform-sandbox", daemon=True)
        self.app, self.host, self.port = app, host, port
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.loop = asyncio.new_event_loop()
        self._stop_event = asyncio.Event()

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = SandboxRunner(self.app, access_log=None, shutdown_timeout=1.0)
        try:
            self.loop.run_until_complete(self._start(runner))
        except BaseException as e:  # reported to the caller's thread
            self.error = e
            self.ready.set()
            self.loop.close()
            return
        self.ready.set()
        self.loop.run_until_complete(self._stop_event.wait())
        self.app[SANDBOX].closing = True  # ends hung requests now rather than at their limit
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()

    async def _start(self, runner: SandboxRunner) -> None:
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self.port = int(runner.addresses[0][1])

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop_event.set)
        self.join(timeout=30)


@contextmanager
def run_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    state_path: Path | str | None = None,
    seed: int = 0,
    **options: Any,
) -> Iterator[SandboxHandle]:
    """A sandbox on ``host:port`` (0: a free port) for the duration of the block.

    ``options`` are ``sandbox.core.Options`` fields: ``extra_accounts``, ``limits``, ...
    """
    app = make_app(Options(seed=seed, **options), Path(state_path) if state_path is not None else None)
    server = _ServerThread(app, host, port)
    server.start()
    server.ready.wait()
    if server.error is not None:
        raise SandboxError(f"the sandbox cannot start on {host}:{port}: {server.error}") from server.error
    try:
        yield SandboxHandle(host, server.port, app)
    finally:
        server.stop()
