"""``Service.run()``: everything ``campaigns run`` does, in order, and the watch loop until Ctrl-C."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kombu.utils.url import maybe_sanitize_url
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from campaigns.clock import utc_now
from campaigns.service.children import Child, Children, wait_until
from campaigns.service.errors import ServiceError
from campaigns.service.healthz import DEFAULT_PORT, HealthEndpoint
from campaigns.service.sandbox import (
    START_TIMEOUT,
    busy_port_message,
    local_address,
    port_in_use,
    sandbox_answers,
    sandbox_argv,
    sandbox_needed,
    sandbox_state_file,
)
from campaigns.service.startup_schedule import Summary, apply_specs_once, prepare_database, schedule_summary
from campaigns.settings import Settings
from campaigns.store.db import make_engine
from worker.beat_schedule import SYNC_SPECS_EVERY
from worker.queues import QUEUES

if TYPE_CHECKING:
    from campaigns.web.serve import DashboardThread

Echo = Callable[[str], None]
WATCH_EVERY = 0.2  # seconds between looks at the children


@dataclass(frozen=True, slots=True)
class Options:
    health_host: str = "127.0.0.1"
    health_port: int = DEFAULT_PORT  # 0: any free port (tests)
    concurrency: int = 2  # worker processes publishing at once
    stop_timeout: float = 30.0  # seconds the worker gets to finish what it holds on Ctrl-C
    web_host: str = "127.0.0.1"
    web_port: int | None = 8767  # the dashboard; None: not served


def worker_argv(options: Options) -> list[str]:
    """The Celery worker with the beat embedded (``-B``); the beat is the same LeasedScheduler as
    ``celery -A worker beat`` (``beat_scheduler`` in worker/app.py). WARNING shows Celery's own
    problems and nothing routine; the one line per published post is INFO of ``campaigns``,
    which the worker lets through (worker/app.py). It consumes every queue (worker.queues): one
    worker does all the work here."""
    return [
        *(sys.executable, "-m", "celery", "-A", "worker", "--quiet", "worker", "--beat"),
        *("--queues", ",".join(QUEUES)),
        *("--loglevel", "WARNING", "--concurrency", str(options.concurrency), "--hostname", "campaigns@%h"),
    ]


# Celery warns at length when its worker runs as root. The banner says it once, in one line, with
# what to do; the worker's own copy is silenced (only for this supervised child).
ROOT_NOTE = "  note      running as root: fine on a laptop; on a server run it as an unprivileged user (the Docker image does)"
_CELERY_ROOT_WARNING = "You're running the worker with superuser privileges"


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    if running_as_root():
        ignore = f"ignore:{_CELERY_ROOT_WARNING}"
        env["PYTHONWARNINGS"] = ",".join(filter(None, (env.get("PYTHONWARNINGS"), ignore)))
    return env


class Service:
    def __init__(self, settings: Settings, options: Options, echo: Echo) -> None:
        self.settings, self.options, self.echo = settings, options, echo
        self.children = Children()
        self._stop = threading.Event()
        self._signals = 0
        self._health: HealthEndpoint | None = None
        self._dashboard: DashboardThread | None = None

    def run(self) -> int:
        """Start everything, then watch until Ctrl-C/SIGTERM (0) or a child dies (1).

        Raises ServiceError (one line) when something cannot start; what did start is stopped.
        A Ctrl-C while starting stops at the next step, with whatever had started.
        """
        # What this process has to say it prints itself (e.g. each spec problem, once); without a
        # handler, Python would also print the library's log records of the same problems.
        logging.getLogger("campaigns").addHandler(logging.NullHandler())
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        engine: Engine | None = None
        try:
            engine = self._engine()
            return self._start_and_watch(engine)
        except SQLAlchemyError as e:
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            raise ServiceError(f"cannot use the database {self._shown_db()}: {reason}") from None
        except FileNotFoundError as e:
            raise ServiceError(f"the campaign specs folder {e} does not exist (SPECS_DIR)") from None
        finally:
            self._stop_everything()
            if engine is not None:
                engine.dispose()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start_and_watch(self, engine: Engine) -> int:
        revision = prepare_database(engine)
        sandbox_line = self._start_sandbox()
        if self._stop.is_set():
            return 0
        for line in apply_specs_once(engine=engine, specs_dir=self.settings.specs_dir, now=utc_now()).lines:
            self.echo(line)
        summary = schedule_summary(engine)
        from worker.app import app  # imports Celery: only once the cheap checks passed

        self._health = HealthEndpoint(
            host=self.options.health_host, port=self.options.health_port, engine=engine, celery_app=app
        )
        dashboard_line = self._start_dashboard(engine, app)
        self._banner(revision, sandbox_line, self._health.url, summary, dashboard_line)
        if self._stop.is_set():
            return 0
        worker = Child("Celery worker and beat", worker_argv(self.options), env=worker_env())
        worker.stop_timeout = self.options.stop_timeout
        self.children.start(worker)
        self._health.start()
        return self._watch()

    def _watch(self) -> int:
        while not self._stop.wait(WATCH_EVERY):
            exited = self.children.exited()
            if exited is not None:
                self._report_crash(exited)
                return 1
        return 0

    def _stop_everything(self) -> None:
        if self.children.members and self._stop.is_set():
            self.echo("Stopping: the worker finishes what it holds (Ctrl-C again to stop at once)...")
        self.children.stop_all()
        if self._health is not None:
            self._health.stop()
        if self._dashboard is not None:
            self._dashboard.stop()
        if self.children.members:
            self.echo("Stopped.")

    def _engine(self) -> Engine:
        try:
            return make_engine(self.settings.database_url)
        except SQLAlchemyError as e:
            raise ServiceError(f"DATABASE_URL is not a database URL: {e}") from None

    def _shown_db(self) -> str:
        return make_url(self.settings.database_url).render_as_string(hide_password=True)

    def _start_sandbox(self) -> str:
        """Start the sandbox if an account needs it and none answers; the banner's line about it."""
        url = self.settings.sandbox_url
        if not sandbox_needed(self.settings):
            return "not used: every platform has credentials"
        if sandbox_answers(url):
            return f"{url}/  (already running: not started here)"
        address = local_address(url)
        if address is None:
            raise ServiceError(
                f"nothing answers at SANDBOX_URL {url} and it is not on this machine: start the sandbox "
                "there, or set SANDBOX_URL to a local address"
            )
        if port_in_use(address.host, address.port):  # and no sandbox answers there (above)
            raise ServiceError(busy_port_message(address))
        log = self.settings.data_dir / "sandbox.log"
        child = self.children.start(Child("sandbox", sandbox_argv(self.settings, address), log=log))
        wait_until(
            lambda: self._stop.is_set() or not child.running() or sandbox_answers(url), timeout=START_TIMEOUT
        )
        if self._stop.is_set():
            return "stopping"
        if not child.running() or not sandbox_answers(url):
            why = next(iter(child.last_lines(1)), "no output")
            raise ServiceError(f"the sandbox did not start on {address.host}:{address.port}: {why}")
        return f"{url}/  (state in {sandbox_state_file(self.settings)}, log in {log})"

    def _start_dashboard(self, engine: Engine, celery_app: Any) -> str:
        """The dashboard in a thread of this process (it only reads and writes the database)."""
        if self.options.web_port is None:
            return "not served (--no-web)"
        from campaigns.web.serve import DashboardThread, web_config

        config = web_config(self.settings, engine, celery_app)
        self._dashboard = DashboardThread(config, self.options.web_host, self.options.web_port)
        if not self._dashboard.start():
            where = f"{self.options.web_host}:{self.options.web_port}"
            raise ServiceError(f"cannot serve the dashboard on {where} (is the port taken? WEB_PORT)")
        return f"{self._dashboard.url}  (first admin: campaigns users add NAME --role admin)"

    def _banner(
        self, revision: str | None, sandbox: str, health_url: str, summary: Summary, dashboard: str
    ) -> None:
        broker = (
            maybe_sanitize_url(self.settings.redis_url)
            if self.settings.redis_url
            else f"embedded, in {self.settings.data_dir / 'broker'} (no Redis server needed)"
        )
        lines = [
            "Campaign scheduler running. Ctrl-C stops it.",
            f"  database  {self._shown_db()} (schema {revision})",
            f"  broker    {broker}",
            f"  sandbox   {sandbox}",
            f"  health    {health_url}",
            f"  dashboard {dashboard}",
            f"  specs     {self.settings.specs_dir} (changes are applied within {SYNC_SPECS_EVERY:g} s)",
            f"  schedule  {describe_schedule(summary)}",
            *([ROOT_NOTE] if running_as_root() else []),
            "One line per published post follows.",
        ]
        for line in lines:
            self.echo(line)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1
        self._stop.set()
        if self._signals > 1:
            self.children.kill_all()

    def _report_crash(self, child: Child) -> None:
        self.echo(
            f"the {child.name} stopped unexpectedly (exit code {child.exit_code()}): stopping everything"
        )
        for line in child.last_lines():
            self.echo(f"  {child.name}: {line}")


def describe_schedule(summary: Summary) -> str:
    counts = f"{summary.campaigns} campaign{'s' if summary.campaigns != 1 else ''}, {summary.upcoming} post{'s' if summary.upcoming != 1 else ''} upcoming"
    if summary.next_post is None or summary.next_at is None:
        return counts
    when = summary.next_at.astimezone(ZoneInfo(summary.next_timezone)).strftime("%a %d %b %Y %H:%M %Z")
    return f"{counts}; next: {summary.next_post} on {when}"
