"""Is the service working? Three checks, each green or red with a reason a person can act on.

- ``posts``: nothing is overdue (due more than ``OVERDUE_AFTER`` ago and not held back by a pause,
  an account hold or a backoff), i.e. the dispatcher and the workers keep up;
- ``beat``: the active beat ticked within ``BEAT_SILENT_AFTER`` (the lease's ``renewed_at``);
- ``workers``: at least one Celery worker answers a ping (the service's /healthz) or wrote its
  heartbeat within the last few seconds (``campaigns health``: ``campaigns.heartbeat``);
- ``accounts``: no account is held because its credentials were rejected (its posts would wait
  until someone fixes them);
- ``clock`` (`campaigns health` only): this machine's clock against the database server's, the
  service's time authority (``campaigns.clock``): a warning from ``CLOCK_WARN_AFTER`` off, red
  from ``CLOCK_FAIL_AFTER``.

``campaigns health`` prints them; ``health_wsgi_app`` serves them as JSON at any path (200 when
all are green, 503 otherwise) for the running service to expose as ``/healthz``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from campaigns.store.db import read_connection
from campaigns.store.health_reads import get_lease, overdue_posts
from campaigns.store.held_accounts import HeldAccount, held_accounts
from campaigns.store.problems import current_problems

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

OVERDUE_AFTER = timedelta(seconds=60)
BEAT_SILENT_AFTER = timedelta(seconds=30)  # > the lease TTL (20 s): a standby has taken over by then
BEAT_LEASE = "beat"  # scheduler.beat.LEASE_NAME (campaigns does not import the scheduler)

# This machine's clock against the database's, in seconds. The service keeps the database's time
# whatever a host's clock says, so an offset is not itself a fault: from 2 s it is worth a warning
# (the host's logs are off, and Celery's short countdowns assume the beat's and the workers' hosts
# agree); from 5 minutes it is red, since a host that far off has lost NTP altogether.
CLOCK_WARN_AFTER = 2.0
CLOCK_FAIL_AFTER = 300.0

Ping = Callable[[], Iterable[str]]  # the names of the workers that answered


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # green, but worth a look (printed "warn")


@dataclass(frozen=True, slots=True)
class Health:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [asdict(check) for check in self.checks]}


def _ago(seconds: float) -> str:
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def check_posts(engine: Engine, now: datetime, *, overdue_after: timedelta = OVERDUE_AFTER) -> Check:
    with read_connection(engine) as connection:
        overdue = overdue_posts(session=connection, now=now, grace=overdue_after)
    if not overdue:
        return Check("posts", True, "nothing overdue")
    oldest = overdue[0]
    due = _ago((now - oldest.scheduled_at).total_seconds())
    count = f"{len(overdue)} post{'s' if len(overdue) != 1 else ''} overdue"
    return Check("posts", False, f"{count}; oldest {oldest.id} ({oldest.status}) was due {due}")


def check_beat(engine: Engine, now: datetime, *, silent_after: timedelta = BEAT_SILENT_AFTER) -> Check:
    with read_connection(engine) as connection:
        lease = get_lease(session=connection, name=BEAT_LEASE)
    if lease is None or lease.renewed_at is None:
        return Check("beat", False, "no beat has ever run (start `celery -A worker beat`)")
    silent = (now - lease.renewed_at).total_seconds()
    if lease.holder is None:
        return Check("beat", False, f"no beat is active; the last one stopped {_ago(silent)}")
    if now - lease.renewed_at > silent_after:
        return Check("beat", False, f"silent: {lease.holder} last ticked {_ago(silent)}")
    return Check("beat", True, f"{lease.holder} ticked {_ago(silent)}")


def check_accounts(engine: Engine, now: datetime) -> Check:
    """Red while an account is held for rejected credentials: its posts wait for a person."""
    with read_connection(engine) as connection:
        held = held_accounts(session=connection)
    if not held:
        return Check("accounts", True, "no account held")

    def since(account: HeldAccount) -> str:
        return f" {_ago((now - account.since).total_seconds())}" if account.since else ""

    text = "; ".join(
        f"{a.label} held{since(a)} ({a.reason}), {a.waiting} post{'s' if a.waiting != 1 else ''} waiting"
        for a in held
    )
    return Check("accounts", False, f"{text}: fix the credentials, then run `campaigns accounts check`")


def check_workers(ping: Ping, *, timeout: float) -> Check:
    try:
        names = sorted(ping())
    except Exception as e:  # whatever the broker's client raises: the answer is "no"
        return Check(
            "workers", False, f"cannot ask the workers: {' '.join(str(e).split()) or type(e).__name__}"
        )
    if not names:
        return Check("workers", False, f"no worker answered within {timeout:g} s")
    return Check("workers", True, f"{len(names)} answered: {', '.join(names)}")


def check_heartbeats(alive: Ping) -> Check:
    """``check_workers`` from the workers' heartbeats (``campaigns.heartbeat``): no waiting."""
    from campaigns.heartbeat import FRESH_FOR

    try:
        names = sorted(alive())
    except Exception as e:  # whatever the Redis client raises: the answer is "no"
        return Check(
            "workers", False, f"cannot ask the workers: {' '.join(str(e).split()) or type(e).__name__}"
        )
    if not names:
        return Check(
            "workers", False, f"no worker alive (none wrote its heartbeat in the last {FRESH_FOR:g} s)"
        )
    return Check("workers", True, f"{len(names)} alive: {', '.join(names)}")


def check_problems(engine: Engine, now: datetime) -> Check:
    """Red while something needs a person: a held account, a failed or missed post, a spent read
    budget, an undelivered report (``campaigns.store.problems``)."""
    with read_connection(engine) as connection:
        problems = current_problems(session=connection, now=now)
    if not problems:
        return Check("problems", True, "nothing needs a person")
    more = f" (+{len(problems) - 1} more: `campaigns status`)" if len(problems) > 1 else ""
    return Check("problems", False, f"{problems[0]}{more}")


def check_clock(engine: Engine, _now: datetime) -> Check:
    """This machine's clock against the database server's (one query)."""
    if engine.dialect.name != "postgresql":
        return Check("clock", True, "the database is on this machine: one clock")
    from sqlalchemy import text  # here: health's start-up (0.5 s target) imports nothing it may not use

    from campaigns.clock import local_now

    with engine.connect() as connection:
        before = time.monotonic()
        ours = local_now()
        theirs = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
        trip = time.monotonic() - before
    # the server read its clock about half the round trip after we read ours
    return describe_clock_offset((ours - theirs).total_seconds() + trip / 2)


def describe_clock_offset(offset: float) -> Check:
    """``offset``: seconds this machine's clock is ahead of the database's (behind: negative)."""
    side = "ahead of" if offset >= 0 else "behind"
    size = abs(offset)
    amount = f"{size:.2f} s" if size < 120 else f"{size / 60:.0f} min"
    text = f"this machine's clock is {amount} {side} the database's"
    if size < CLOCK_WARN_AFTER:
        return Check("clock", True, text)
    advice = (
        f"{text}: the service keeps the database's time, but this host's logs are off and its "
        "Celery countdowns assume the hosts agree; check NTP on this host"
    )
    return Check("clock", size < CLOCK_FAIL_AFTER, advice, warning=size < CLOCK_FAIL_AFTER)


def check_health(
    *,
    engine: Engine,
    now: datetime,
    ping: Ping | None = None,
    ping_timeout: float = 1.0,
    problems: bool = False,
    workers: Callable[[], Check] | None = None,
    clock: bool = False,
) -> Health:
    """All checks. A database that cannot be reached turns the checks that need it red.

    The workers are asked while the database is read, so that a health check waits for the
    slower of the two, not for both one after the other. ``problems``: also the check for problems
    that need a person (`campaigns health`); the service's /healthz leaves it out, since a failed
    post is no reason to restart the service. ``workers``: the workers' check, instead of asking
    them with ``ping`` (``check_heartbeats``). ``clock``: also this machine's clock against the
    database's (`campaigns health`; restarting the service would not fix a host's clock either).
    """
    if workers is None:
        if ping is None:
            raise TypeError("check_health needs ping or workers")
        workers = partial(check_workers, ping, timeout=ping_timeout)
    database_checks: list[tuple[str, Callable[[Engine, datetime], Check]]] = [
        ("posts", check_posts),
        ("beat", check_beat),
        ("accounts", check_accounts),
    ]
    if problems:
        database_checks.append(("problems", check_problems))
    if clock:
        database_checks.append(("clock", check_clock))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-ping") as pool:
        workers_check = pool.submit(workers)
        checks = []
        for name, check in database_checks:
            try:
                checks.append(check(engine, now))
            except SQLAlchemyError as e:
                checks.append(
                    Check(name, False, f"cannot read the database: {' '.join(str(e).split())[:200]}")
                )
        checks.append(workers_check.result())
    return Health(checks)


def celery_ping(app: Any, timeout: float) -> Ping:
    """A ``Ping`` through Celery's remote control (works on Redis and the filesystem broker).

    It stops at the first worker that answers: one answer is what the check needs, and waiting
    for every worker would mean waiting out the whole ``timeout`` each time (the remote control
    cannot know how many workers there are), which made ``campaigns health`` take a second even
    when everything was up.
    """

    def ping() -> list[str]:
        replies = app.control.ping(timeout=timeout, limit=1) or []
        return [name for reply in replies for name in reply]

    return ping


StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def health_wsgi_app(check: Callable[[], Health]) -> Callable[[dict[str, Any], StartResponse], list[bytes]]:
    """A WSGI app answering every GET with the health as JSON: 200 if green, 503 if not."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD")])
            return [b""]
        health = check()
        body = json.dumps(health.as_dict()).encode()
        status = "200 OK" if health.ok else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def make_health_server(host: str, port: int, check: Callable[[], Health]) -> WSGIServer:
    """An HTTP server for ``health_wsgi_app``; run its ``serve_forever()`` in a thread."""
    # Imported here: `campaigns health` checks without serving, and http.server costs ~30 ms.
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # a probe every few seconds is no news
            pass

    return make_server(host, port, health_wsgi_app(check), handler_class=QuietHandler)
