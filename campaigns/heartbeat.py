"""Worker heartbeats: how ``campaigns health`` knows the workers are alive without asking Celery.

Every worker writes its heartbeat every ``EVERY`` seconds from its consumer's timer
(``worker.heartbeat``), so a worker whose consumer stops turning falls silent too:

- on Redis, the key ``<BROKER_PREFIX>:alive:<worker hostname>`` (``campaigns:alive:...`` without a
  prefix), expiring after ``FRESH_FOR`` seconds;
- on the embedded broker, the file ``<DATA_DIR>/broker/alive/<worker hostname>``, its modification
  time the heartbeat's.

A worker is alive while its key exists or its file is at most ``FRESH_FOR`` seconds old. Reading
them takes one Redis SCAN or one folder listing: no Celery, no kombu, no waiting for an answer.
The ``redis`` client is imported only when Redis is the broker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaigns.clock import local_now

if TYPE_CHECKING:
    from campaigns.settings import Settings

EVERY = 2.0  # seconds between a worker's heartbeats
FRESH_FOR = 6.0  # seconds a heartbeat counts: three missed ones and the worker is gone
DEFAULT_PREFIX = "campaigns"  # the key prefix when BROKER_PREFIX is not set


def redis_pattern(prefix: str) -> str:
    return f"{prefix or DEFAULT_PREFIX}:alive:"


def alive_folder(data_dir: Path) -> Path:
    return data_dir.resolve() / "broker" / "alive"


def _file_name(hostname: str) -> str:
    return hostname.replace("/", "_")  # a hostname holds no slash, but a file name must not


class HeartbeatWriter:
    """Writes one worker's heartbeat (``beat``) and removes it when the worker stops (``clear``)."""

    def __init__(self, settings: Settings, hostname: str, *, timeout: float = 1.0) -> None:
        self.hostname = hostname
        self._redis: Any = None
        self._file: Path | None = None
        if settings.redis_url:
            self._redis = _redis_client(settings.redis_url, timeout)
            self._key = redis_pattern(settings.broker_prefix) + hostname
        else:
            folder = alive_folder(settings.data_dir)
            folder.mkdir(parents=True, exist_ok=True)
            self._file = folder / _file_name(hostname)

    def beat(self) -> None:
        if self._redis is not None:
            self._redis.set(self._key, str(local_now().timestamp()), px=int(FRESH_FOR * 1000))
        elif self._file is not None:
            self._file.touch()
            os.utime(self._file)  # touch() leaves an existing file's time alone on some systems

    def clear(self) -> None:
        """The worker stops: it is gone now, not ``FRESH_FOR`` seconds from now."""
        if self._redis is not None:
            self._redis.delete(self._key)
            self._redis.close()
        elif self._file is not None:
            self._file.unlink(missing_ok=True)


def alive_workers(settings: Settings, *, timeout: float, now: float | None = None) -> list[str]:
    """The hostnames of the workers whose heartbeat is fresh, sorted.

    Raises whatever the Redis client raises when Redis cannot be asked within ``timeout``.
    """
    if settings.redis_url:
        return _alive_on_redis(settings.redis_url, settings.broker_prefix, timeout)
    # A file's mtime is this machine's clock, so it is compared with that clock, not the database's.
    return _alive_in_folder(alive_folder(settings.data_dir), local_now().timestamp() if now is None else now)


def _redis_client(url: str, timeout: float) -> Any:
    """A client that tries once: a Redis that is down is "down" now, not after redis-py's retries."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def _alive_on_redis(url: str, prefix: str, timeout: float) -> list[str]:
    client = _redis_client(url, timeout)
    start = redis_pattern(prefix)
    try:
        keys = client.scan_iter(match=f"{_glob_escape(start)}*", count=1000)
        return sorted(key.decode()[len(start) :] for key in keys)
    finally:
        client.close()


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def _alive_in_folder(folder: Path, now: float) -> list[str]:
    alive = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []  # no worker has ever run on this data folder
    for entry in entries:
        try:
            written = entry.stat().st_mtime
        except FileNotFoundError:
            continue  # its worker stopped meanwhile
        if now - written <= FRESH_FOR:
            alive.append(entry.name)
    return sorted(alive)
