"""``/healthz`` of the running service: ``campaigns.health`` served as JSON (200 green, 503 red)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine

from campaigns.clock import utc_now
from campaigns.health import Health, celery_ping, check_health, make_health_server
from campaigns.service.errors import ServiceError

DEFAULT_PORT = 8766  # next to the sandbox's 8765
PING_TIMEOUT = 1.0  # seconds a probe waits for the workers to answer


class HealthEndpoint:
    """The HTTP server in a daemon thread. Any path answers; ``/healthz`` is the documented one."""

    def __init__(self, *, host: str, port: int, engine: Engine, celery_app: Any) -> None:
        self._engine = engine
        self._ping = celery_ping(celery_app, PING_TIMEOUT)
        try:
            self._server = make_health_server(host, port, self.check)
        except OSError as e:
            raise ServiceError(f"cannot listen on {host}:{port} for /healthz: {e.strerror}") from None
        self.host, self.port = host, self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="healthz", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/healthz"

    def check(self) -> Health:
        return check_health(engine=self._engine, now=utc_now(), ping=self._ping, ping_timeout=PING_TIMEOUT)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() would wait forever for a loop that never ran
            self._server.shutdown()
        self._server.server_close()
