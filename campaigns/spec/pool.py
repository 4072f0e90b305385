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

import contextlib
import fcntl
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_PIPE_BYTES = 1024 * 1024

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
    would otherwise sit waiting, and what it loads needs no pickling. Each forked process loads its
    own share (every ``workers``-th item from its number on) and sends the results back in order
    through its own pipe, which this process reads when it needs the next result: no pool, no task
    queue and no result thread, whose hand-offs cost this process as much CPU as unpickling the
    results (it is the busier one: it loads as much as a worker, and unpickles their results too).
    """
    if workers <= 1:
        yield from map(load_one, items)
        return
    import multiprocessing  # here: importing it costs more than reading the bundled specs

    context = multiprocessing.get_context("fork")
    pipes: list[Connection] = []
    processes: list[BaseProcess] = []
    finished = False
    try:
        for number in range(1, workers):
            reader, writer = context.Pipe(duplex=False)
            _widen(writer)
            share = items[number::workers]
            process = context.Process(target=_load_share, args=(load_one, share, writer), daemon=True)
            process.start()
            writer.close()  # the worker's end: this process only reads
            pipes.append(reader)
            processes.append(process)
        for index, item in enumerate(items):
            turn = index % workers
            yield load_one(item) if turn == 0 else _receive(pipes[turn - 1])
        finished = True
    finally:
        _stop(processes, pipes, early=not finished)


def _widen(pipe: Connection) -> None:
    """Let a worker send a few results ahead (1 MiB, not 64 KiB) where the system allows it.

    A loaded spec pickles to about 300 KB: with the default pipe, a worker waits for this process
    to read each result before it loads the next file, and each waits whenever the other is late.
    """
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is not None:
        with contextlib.suppress(OSError):  # over the system's limit: the default size still works
            fcntl.fcntl(pipe.fileno(), set_size, _PIPE_BYTES)


def _load_share(load_one: Callable[[Item], Result], share: Sequence[Item], pipe: Connection) -> None:
    """In a forked worker: load each item of its share and send the result (or what was raised)."""
    for item in share:
        try:
            message: tuple[bool, object] = (True, load_one(item))
        except Exception as exc:  # raised again in the process that reads it, as a pool would
            message = (False, exc)
        pipe.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    pipe.close()


def _receive(pipe: Connection) -> Any:
    try:
        ok, value = pickle.loads(pipe.recv_bytes())
    except EOFError:
        raise RuntimeError("a process loading specs ended before sending all its results") from None
    if not ok:
        raise value
    return value


def _stop(processes: list[BaseProcess], pipes: list[Connection], *, early: bool) -> None:
    """Wait for the workers to end; first stop them when the caller stopped before the last result."""
    for process in processes:
        if early and process.is_alive():
            process.terminate()  # it may be blocked on a full pipe that nobody will read
        process.join()
    for pipe in pipes:
        pipe.close()
