"""What the publishing functions work with: the database, the platform adapters, a clock.

One ``Context`` per process (``worker.runtime`` builds it); tests build their own with a fake
clock and sandbox accounts. Adapters hold pooled connections and are built once per account.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from campaigns.clock import Clock, utc_now
from campaigns.platforms import Platform, PlatformError, get_platform
from campaigns.settings import Settings, SettingsError

log = logging.getLogger(__name__)

HANDLE_RETRY = 600.0  # seconds before asking again who an account is, after the platform did not say
PlatformFactory = Callable[[str, str], Platform]


def process_name() -> str:
    """``host:pid``: who claimed a post or holds a lease, as people read it in the database."""
    return f"{socket.gethostname()}:{os.getpid()}"


class AccountNotConfigured(SettingsError):
    """A post names an account that the settings do not have."""


class PlatformPool:
    """One adapter per (channel, account), built on first use; thread-safe."""

    def __init__(self, settings: Settings | None = None, factory: PlatformFactory | None = None) -> None:
        self._factory = factory or (lambda channel, account: get_platform(channel, account, settings))
        self._adapters: dict[tuple[str, str], Platform] = {}
        self._handles: dict[tuple[str, str], tuple[str, float | None]] = {}  # handle, retry at
        self._lock = threading.Lock()

    def get(self, channel: str, account: str) -> Platform:
        """The adapter. Raises AccountNotConfigured (one line) for an unknown channel or account."""
        key = (channel, account)
        with self._lock:
            adapter = self._adapters.get(key)
            if adapter is None:
                try:
                    adapter = self._factory(channel, account)
                except SettingsError as e:
                    raise AccountNotConfigured(str(e)) from None
                self._adapters[key] = adapter
            return adapter

    def handle(self, channel: str, account: str) -> str:
        """How people know the account (``@SSWAlliance_demo``, the Page's name); asked once.

        Falls back to ``channel/account`` when the platform cannot say right now, and asks again
        only after ``HANDLE_RETRY`` (X allows 75 ``users/me`` calls per 15 minutes).
        """
        key = (channel, account)
        with self._lock:
            known = self._handles.get(key)
        if known is not None and (known[1] is None or time.monotonic() < known[1]):
            return known[0]
        try:
            handle, retry_at = self.get(channel, account).check().handle, None
        except (PlatformError, SettingsError) as e:
            log.debug("cannot ask %s/%s who it is: %s", channel, account, e)
            handle, retry_at = f"{channel}/{account}", time.monotonic() + HANDLE_RETRY
        with self._lock:
            self._handles[key] = (handle, retry_at)
        return handle

    def close(self) -> None:
        with self._lock:
            adapters, self._adapters = list(self._adapters.values()), {}
        for adapter in adapters:
            adapter.close()


@dataclass
class Context:
    """The publishing functions' world. ``clock`` and ``sleep`` are injectable for tests."""

    engine: Engine
    platforms: PlatformPool
    clock: Clock = utc_now
    sleep: Callable[[float], None] = time.sleep
    worker: str = field(default_factory=process_name)
    rng: random.Random = field(default_factory=random.Random)
