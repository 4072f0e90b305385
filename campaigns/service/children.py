"""Child processes of ``campaigns run``: start them, notice when one dies, stop them all.

Each child gets its own session (process group), so that Ctrl-C in the terminal reaches only the
supervisor, which then stops the children in order (worker first, so that a publish in flight
ends before the sandbox goes). On Linux a child is also told to receive SIGTERM if the supervisor
itself dies (``PR_SET_PDEATHSIG``), so a ``kill -9`` of the supervisor leaves no orphans behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from campaigns.service.errors import ServiceError

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with(parent: int) -> Callable[[], None]:
    """A ``preexec_fn``: ask the kernel for SIGTERM when the supervisor (``parent``) goes away."""

    def preexec() -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # it died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


@dataclass
class Child:
    """One supervised process. ``log``: a file for its output (default: the supervisor's)."""

    name: str
    argv: Sequence[str]
    log: Path | None = None
    env: dict[str, str] | None = None
    stop_timeout: float = 30.0  # seconds a graceful stop may take before SIGKILL
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log_file: IO[bytes] | None = field(default=None, init=False, repr=False)

    def start(self) -> None:
        """Start it. Raises ServiceError (one line) if the program cannot be run at all."""
        output: IO[bytes] | None = None
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            output = self._log_file = self.log.open("ab")
        preexec = _die_with(os.getpid()) if sys.platform == "linux" else None
        try:
            self.process = subprocess.Popen(
                list(self.argv),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output is not None else None,
                env=self.env,
                start_new_session=True,
                preexec_fn=preexec,  # only prctl and getppid: safe between fork and exec
            )
        except OSError as e:
            self._close_log()
            raise ServiceError(f"cannot start the {self.name}: {e.strerror}") from None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def exit_code(self) -> int | None:
        """None while it runs (or was never started), else its exit status (negative: a signal)."""
        return self.process.poll() if self.process is not None else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int, *, group: bool = False) -> None:
        """Send ``signum`` to the child, or to its whole process group (a Celery worker's pool too)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(self.process.pid, signum)
                else:
                    self.process.send_signal(signum)

    def stop(self) -> int | None:
        """SIGTERM (Celery: a warm shutdown that finishes the tasks in hand), then SIGKILL to its
        whole group after ``stop_timeout``. The leader alone gets the SIGTERM: Celery stops its
        own pool, and a pool process signalled directly dies mid-task."""
        if self.process is None:
            return None
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL, group=True)
            self.process.wait()
        # The group may outlive its leader (a pool process still finishing): end it too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._close_log()
        return self.process.returncode

    def last_lines(self, count: int = 5) -> list[str]:
        """The end of its log file, to say why it stopped."""
        if self.log is None or not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [line for line in lines if line.strip()][-count:]

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


@dataclass
class Children:
    """The supervised processes, in start order; stopped in reverse order."""

    members: list[Child] = field(default_factory=list)

    def start(self, child: Child) -> Child:
        child.start()
        self.members.append(child)
        return child

    def exited(self) -> Child | None:
        """The first child that is no longer running, if any."""
        return next((child for child in self.members if not child.running()), None)

    def stop_all(self) -> None:
        for child in reversed(self.members):
            child.stop()

    def kill_all(self) -> None:
        """A second Ctrl-C: no more waiting."""
        for child in self.members:
            child.signal(signal.SIGKILL, group=True)


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
