"""Serving the dashboard: ``campaigns web`` alone, or a thread of ``campaigns run``'s supervisor."""

from __future__ import annotations

import threading
from typing import Any

import uvicorn
from sqlalchemy import Engine

from campaigns.clock import utc_now
from campaigns.health import Health, celery_ping, check_health
from campaigns.settings import Settings
from campaigns.web.app import create_app
from campaigns.web.framework import WebConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8767  # next to the sandbox (8765) and /healthz (8766)
PING_TIMEOUT = 1.0


def web_config(settings: Settings, engine: Engine, celery_app: Any | None = None) -> WebConfig:
    """The dashboard over ``engine``; with ``celery_app`` its health page pings the workers."""
    health = None
    if celery_app is not None:
        ping = celery_ping(celery_app, PING_TIMEOUT)

        def health() -> Health:
            return check_health(engine=engine, now=utc_now(), ping=ping, ping_timeout=PING_TIMEOUT)

    return WebConfig(
        engine=engine, specs_dir=settings.specs_dir, data_dir=settings.data_dir, now=utc_now, health=health
    )


def make_server(
    config: WebConfig, host: str, port: int, trusted_proxies: str = "127.0.0.1"
) -> uvicorn.Server:
    """A uvicorn server for the dashboard. X-Forwarded-Proto/-For count only from ``trusted_proxies``
    (comma-separated addresses): behind an HTTPS proxy, the cookie is Secure and Origin is https."""
    uv_config = uvicorn.Config(
        create_app(config),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
        server_header=False,
    )
    return uvicorn.Server(uv_config)


class DashboardThread:
    """The dashboard in a daemon thread of the supervisor (``campaigns run``)."""

    def __init__(self, config: WebConfig, host: str, port: int) -> None:
        self.server = make_server(config, host, port)
        self.host, self.port = host, port
        self._thread = threading.Thread(target=self.server.run, name="dashboard", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self, timeout: float = 10.0) -> bool:
        """Start serving; True once it listens (False: it could not, e.g. the port is taken)."""
        self._thread.start()
        started = threading.Event()
        for _ in range(int(timeout / 0.05)):
            if self.server.started or not self._thread.is_alive():
                break
            started.wait(0.05)
        return bool(self.server.started)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=5)
