"""The harness's process handling: a kill that overlaps a restart must not leave an orphan behind
(a 1,000-kill run once piled up hundreds of workers that no one would ever kill)."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.faultkit.inject import Stack
from benchmarks.faultkit.services import Proc

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def make_proc(tmp_path: Path, name: str) -> Proc:
    return Proc(name, SLEEPER, {}, tmp_path / f"{name}.log")


def make_stack(workers: list[Proc]) -> Stack:
    return Stack(None, None, None, workers, [], None, Path("clock"), None)  # type: ignore[arg-type]


def test_starting_a_running_process_keeps_the_one_running(tmp_path: Path):
    proc = make_proc(tmp_path, "worker0")
    try:
        first = proc.pid
        proc.start()
        assert proc.pid == first and proc.running()
    finally:
        proc.kill()
    assert not proc.running()


def test_a_kill_picks_a_running_worker_and_none_when_all_are_down(tmp_path: Path):
    workers = [make_proc(tmp_path, f"worker{n}") for n in range(2)]
    stack = make_stack(workers)
    try:
        workers[0].kill()
        assert stack.worker_to_kill(0) is workers[1]
        assert stack.worker_to_kill(1) is workers[1]
        workers[1].kill()
        assert stack.worker_to_kill(0) is None
    finally:
        for worker in workers:
            worker.kill()


def test_a_restart_after_another_restart_starts_nothing_more(tmp_path: Path):
    worker = make_proc(tmp_path, "worker0")
    stack = make_stack([worker])
    try:
        worker.kill()
        stack.start_again(worker)
        pid = worker.pid
        stack.start_again(worker)  # the second kill's undo, its kill having found the worker down
        assert worker.pid == pid
        assert stack.restarts == {"worker0": 1}
    finally:
        worker.kill()


def test_a_kill_planned_while_every_worker_is_down_waits_for_one_to_be_back(tmp_path: Path):
    from benchmarks.faultkit.run import inject_plan
    from benchmarks.faultkit.schedule import Fault

    workers = [make_proc(tmp_path, f"worker{n}") for n in range(2)]
    stack = make_stack(workers)
    kills = [Fault(n * 0.01, "worker_kill", 0.0, {"worker": 0}) for n in range(3)]
    lines: list[str] = []
    try:
        windows = inject_plan(stack, kills, lines.append)
    finally:
        for worker in workers:
            worker.kill()
    # The third kill found both down; it was done once a worker was started again, not dropped.
    assert [w.kind for w in windows] == ["worker_kill"] * 3 and lines == []
    assert windows[2].start >= windows[1].start + 0.9  # a worker is back after RESTART_AFTER (1 s)
