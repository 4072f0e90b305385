"""``campaigns health``: is the running service working (posts on time, beat ticking, workers up)?"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any

import click

from campaigns.clock import utc_now
from campaigns.startup import loading_libraries

DEFAULT_TIMEOUT = 2.0
OUTSIDE_THE_COMMAND = 0.15  # seconds: Python and click starting (~0.1 s), and exiting
MIN_WAIT = 0.1  # seconds the workers get however long start-up took: a live one answers in ~0.05 s


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--timeout",
    default=DEFAULT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds within which the command answers, its start-up included; a PostgreSQL server "
    "that does not answer at all takes at least 2 s (libpq's shortest connection timeout).",
)
def health(as_json: bool, timeout: float) -> None:
    """Check for overdue posts, a silent beat, held accounts, problems that need a person, this
    machine's clock against the database's, and silent workers.

    The problems that need a person: held accounts, failed or missed posts, a spent read budget,
    undelivered reports.

    Prints one line per check and exits with status 1 if any of them is red. The workers are
    asked while the database is read, and the first worker to answer ends the wait: when the
    service is up the answer comes at once; when something is down, within TIMEOUT seconds.
    """
    started = time.monotonic()  # before the libraries are loaded: they are most of the start-up
    with loading_libraries():
        from sqlalchemy.engine import make_url

        from campaigns.health import celery_ping, check_health
        from campaigns.settings import SettingsError, get_settings
        from campaigns.store.db import make_engine

    try:
        settings = get_settings()
        url = make_url(settings.database_url)
        engine = make_engine(settings.database_url, **_connect_timeout(url.get_backend_name(), timeout))
        with loading_libraries():
            from worker.app import make_probe_app

        app = make_probe_app(settings, timeout)
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    # The workers get what start-up left of the timeout (loading the libraries takes ~0.5 s),
    # less what the interpreter takes before this command runs and after it returns; a red line
    # still names the whole timeout, the one the user gave.
    wait = max(MIN_WAIT, timeout - (time.monotonic() - started) - OUTSIDE_THE_COMMAND)
    try:
        result = check_health(
            engine=engine,
            now=utc_now(),
            ping=celery_ping(app, wait),
            ping_timeout=timeout,
            problems=True,
            clock=True,
        )
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        for check in result.checks:
            mark = "FAIL" if not check.ok else "warn" if check.warning else "ok"
            click.echo(f"{mark:<4}  {check.name:<8}  {check.detail}")
    sys.exit(0 if result.ok else 1)


def _connect_timeout(backend: str, timeout: float) -> dict[str, Any]:
    """A database server that does not answer fails the checks after ``timeout``, not the OS's minutes."""
    if backend == "postgresql":  # libpq counts whole seconds and waits at least 2
        return {"connect_args": {"connect_timeout": max(2, math.ceil(timeout))}}
    return {}  # SQLite: a local file; health only reads, which WAL never blocks
