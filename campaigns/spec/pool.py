"""Loading many large spec files on every core: one worker process per core, results in file order.

Reading, checking and counting a spec is pure CPU work in Python, so threads would not help; forked
worker processes do. This process loads its share of the files too; each worker loads one file at a
time and sends back the loaded spec (pickled: a tenth of the cost of loading it), so memory stays
bounded by the specs themselves, as when loading in one process.

Used only where it pays and is safe:
- several files and at least :data:`PARALLEL_MIN_BYTES` of them: below that, starting the workers
  costs more than it saves (the bundled specs are read in one process, in a few milliseconds);
- more than one core;
- ``fork`` is available and no other thread is running: forking a process whose other threads may
  hold locks is unsafe, so the running service (which has threads) loads in its own process.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_SWITCH_INTERVAL = 0.0002  # seconds (default 0.005): see map_in_order

Item = TypeVar("Item")
Result = TypeVar("Result")


def workers_for(files: int, total_bytes: int) -> int:
    """How many worker processes to load ``files`` files of ``total_bytes`` with (1: load here)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if files < 2 or total_bytes < PARALLEL_MIN_BYTES or cores < 2:
        return 1
    if not hasattr(os, "fork") or _other_threads_running():
        return 1
    return min(cores, files)


def _other_threads_running() -> bool:
    return threading.active_count() > 1


def map_in_order(load_one: Callable[[Item], Result], items: Sequence[Item], workers: int) -> Iterator[Result]:
    """``load_one`` of every item, in order, on ``workers`` processes: this one and ``workers - 1`` forked.

    This process loads every ``workers``-th item itself while the forked ones load the rest: it
    would otherwise sit waiting, and what it loads needs no pickling. ``load_one`` must be a
    module-level function (or a ``functools.partial`` of one): it is sent to the workers by name.
    """
    if workers <= 1:
        yield from map(load_one, items)
        return
    import multiprocessing  # here: importing it costs more than reading the bundled specs

    mine = range(0, len(items), workers)
    theirs = [item for index, item in enumerate(items) if index % workers]
    switch_interval = sys.getswitchinterval()
    with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
        # All their items are queued at once; results come back in order, as this process needs them.
        from_workers = pool.imap(load_one, theirs, chunksize=1)
        # The pool's thread that reads the workers' results needs the GIL for every chunk it reads
        # from their pipe; at the default interval, this process's own loading keeps it waiting
        # 5 ms each time, and the workers wait on their full pipes meanwhile.
        sys.setswitchinterval(_SWITCH_INTERVAL)
        try:
            for index, item in enumerate(items):
                yield load_one(item) if index in mine else next(from_workers)
        finally:
            sys.setswitchinterval(switch_interval)
