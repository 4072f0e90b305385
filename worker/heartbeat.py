"""The worker's heartbeat (``campaigns.heartbeat``): a consumer bootstep on the consumer's timer.

On the consumer's timer, not in a thread of its own: a worker whose consumer stops turning (its
event loop stuck) stops beating too, as it would stop answering a ping. Started when the consumer
starts consuming, and its key or file removed when it stops (a clean shutdown is gone at once; a
killed worker falls silent and is gone ``FRESH_FOR`` seconds later).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps

from campaigns.heartbeat import EVERY, HeartbeatWriter
from campaigns.settings import get_settings

log = logging.getLogger(__name__)


class Heartbeat(bootsteps.StartStopStep):  # type: ignore[misc]  # celery is untyped
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c: Any, **kwargs: Any) -> None:
        self.writer: HeartbeatWriter | None = None
        self.tref: Any = None
        super().__init__(c, **kwargs)

    def start(self, c: Any) -> None:
        self.writer = HeartbeatWriter(get_settings(), c.hostname)
        self.beat()
        self.tref = c.timer.call_repeatedly(EVERY, self.beat)

    def beat(self) -> None:
        try:
            if self.writer is not None:
                self.writer.beat()
        except Exception as e:  # Redis away a moment: the next beat tries again
            log.warning("could not write the worker's heartbeat: %s", " ".join(str(e).split())[:200])

    def stop(self, c: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        if self.writer is not None:
            try:
                self.writer.clear()
            except Exception as e:
                log.warning("could not remove the worker's heartbeat: %s", " ".join(str(e).split())[:200])
            self.writer = None

    shutdown = stop
