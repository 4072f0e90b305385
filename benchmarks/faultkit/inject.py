"""Doing one planned fault to the running stack; returns what undoes it (after ``fault.seconds``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from benchmarks.faultkit.load import Load
from benchmarks.faultkit.mailbox import Mailbox
from benchmarks.faultkit.schedule import Fault
from benchmarks.faultkit.services import Postgres, Proc, Redis, Sandbox
from campaigns import demo_accounts

CREATE_PATHS = {"x": "/2/tweets", "facebook": "/*/feed"}
Undo = Callable[[], None]


class NotNow(RuntimeError):
    """The fault cannot be done at this moment (every worker is down): try again a little later."""


@dataclass
class Stack:
    redis: Redis
    postgres: Postgres
    sandbox: Sandbox
    workers: list[Proc]
    beats: list[Proc]
    load: Load
    clock_file: Path
    engine: Engine
    rate_reset_in: float | None = None  # a 429 storm's window resets this soon (--fast); None: X's 15 min
    restarts: dict[str, int] = field(default_factory=dict)
    mailbox: Mailbox | None = None  # the SMTP server the reports go to
    reports_due_at: float = 0.0  # epoch seconds: when the run's weekly reports fall due
    env: dict[str, str] = field(default_factory=dict)  # the service's environment (workers, beats)

    def start_again(self, proc: Proc) -> None:
        if proc.running():  # killed twice within RESTART_AFTER: the first restart already ran; a
            return  # second start would orphan that process (never killed, a third worker)
        proc.start()
        self.restarts[proc.name] = self.restarts.get(proc.name, 0) + 1

    def worker_to_kill(self, n: int) -> Proc | None:
        """The ``n``-th running worker (modulo), or None when every worker is down already."""
        running = [w for w in self.workers if w.running()]
        return running[n % len(running)] if running else None

    def active_beat(self) -> Proc | None:
        """The beat whose pid holds the lease (``host:pid:token``), if the database answers."""
        try:
            with self.engine.connect() as connection:
                holder = connection.execute(
                    text("SELECT holder FROM beat_lease WHERE name = 'beat'")
                ).scalar()
        except Exception:  # the database may be the thing restarting
            return None
        pid = str(holder or "").split(":")[1:2]
        return next((b for b in self.beats if b.running() and [str(b.pid)] == pid), None)

    def sandbox_fault(self, spec: dict[str, object]) -> Undo:
        added = self.sandbox.admin("POST", "/_sandbox/faults", spec)
        ids = [f["id"] for f in added["faults"]]

        def remove() -> None:
            for fault_id in ids:
                self.sandbox.admin("DELETE", f"/_sandbox/faults/{fault_id}")

        return remove


def inject(stack: Stack, fault: Fault) -> Undo | None:
    """Do ``fault`` now; the callable ends it (None: an instant fault, over once this returns)."""
    p = fault.params
    kind = fault.kind
    if kind == "worker_kill":
        worker = stack.worker_to_kill(p["worker"])
        if worker is None:
            raise NotNow("every worker is down already")
        worker.kill()  # a supervisor (docker's restart policy) starts it again
        return lambda: stack.start_again(worker)
    if kind == "beat_kill":
        beat = stack.active_beat() or stack.beats[0]
        beat.kill()
        return lambda: stack.start_again(beat)  # it comes back as the standby
    if kind == "redis_restart":
        stack.redis.restart()
    elif kind == "redis_flush":
        stack.redis.restart(flush=True)
    elif kind == "postgres_restart":
        stack.postgres.restart()
    elif kind == "latency":
        return stack.sandbox_fault({"kind": "latency", "seconds": p["delay"]})
    elif kind in ("error_burst", "rate_limit", "hang", "cut"):
        sandbox_kind = {"error_burst": "error", "rate_limit": "rate_limit"}.get(kind, kind)
        spec: dict[str, object] = {"kind": sandbox_kind, "platform": p["platform"], "method": "POST",
                                   "times": p["times"]}  # fmt: skip
        if kind == "cut":
            spec["path"] = CREATE_PATHS[p["platform"]]
        if kind == "rate_limit" and stack.rate_reset_in is not None:
            spec["reset_in"] = stack.rate_reset_in
        stack.sandbox_fault(spec)  # spent after `times` requests
    elif kind == "revoke":
        n = p["account"]
        account = demo_accounts.x_user_id(n) if p["platform"] == "x" else demo_accounts.fb_page_id(n)
        return stack.sandbox_fault({"kind": "revoke", "platform": p["platform"], "account": account})
    elif kind in ("clock_back", "clock_forward"):
        stack.clock_file.write_text(str(-3600 if kind == "clock_back" else 3600))
        return lambda: stack.clock_file.write_text("0")
    elif kind == "spec_edit":
        # posts two minutes on and later: nothing being published right now changes under its worker
        start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=2)
        stack.load.write(edited_after=start)
    else:
        raise ValueError(f"unknown fault kind {kind}")
    return None


def now() -> float:
    return time.time()
