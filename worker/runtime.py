"""What tasks work with in this process: one database engine and one set of platform adapters.

Built on first use, in the process that runs tasks (a prefork child builds its own: a database
connection or an HTTP session must never be shared across a fork).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import signals

from campaigns.publishing import Context, PlatformPool
from campaigns.settings import get_settings
from campaigns.store.db import make_engine

log = logging.getLogger(__name__)
# Database connections a process keeps open. A prefork child runs one task at a time and opens one
# or two; a threads-pool worker (``--pool threads --concurrency N``) runs N at once. Past the pool
# size SQLAlchemy opens and closes a connection per transaction (a PostgreSQL backend started for
# each: milliseconds of CPU), so it covers the concurrencies worth running. Opened only when needed.
POOL_SIZE = 32
_context: Context | None = None
_lock = threading.Lock()


def context() -> Context:
    global _context
    with _lock:
        if _context is None:
            settings = get_settings()
            engine = make_engine(settings.database_url, pool_size=POOL_SIZE)
            _context = Context(engine=engine, platforms=PlatformPool(settings))
        return _context


@signals.worker_init.connect  # type: ignore[untyped-decorator]  # celery is untyped
def _load_before_forking(**_: Any) -> None:
    """In the worker's main process, before its pool forks: import what tasks use and freeze it.

    A prefork pool process then shares those pages with the others (copy-on-write) instead of
    importing its own copy of the platform clients, and the cycle collector, which would write to
    every object it walks, leaves the frozen ones alone."""
    from campaigns.startup import loading_libraries

    with loading_libraries():
        import campaigns.platforms.facebook
        import campaigns.platforms.twitter
        import campaigns.publishing.batch  # noqa: F401


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]  # celery is untyped
def _fresh_context_per_process(**_: Any) -> None:
    """A new worker process: drop any inherited context, then get ready before the first task
    (imports, the database connection), so that the first post is not late for it."""
    global _context
    if _context is not None:
        _context.engine.dispose(close=False)  # the parent's connections stay the parent's
    _context = None
    try:
        import campaigns.platforms.facebook
        import campaigns.platforms.twitter  # noqa: F401

        with context().engine.connect():
            pass
    except Exception as e:  # not fatal here: the first task will meet (and report) the problem
        log.warning("worker process could not get ready: %s", " ".join(str(e).split())[:200])
