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
MIN_WAIT = 0.1  # seconds Redis gets however long start-up took: it answers in ~1 ms


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

    Prints one line per check and exits with status 1 if any of them is red. A worker is alive
    while its heartbeat (written every 2 s) is fresh: the answer comes at once, and within
    TIMEOUT seconds when the database or Redis does not answer.
    """
    started = time.monotonic()  # before the libraries are loaded: they are most of the start-up
    with loading_libraries():
        from sqlalchemy.engine import make_url

        from campaigns.health import check_health, check_heartbeats
        from campaigns.heartbeat import alive_workers
        from campaigns.settings import SettingsError, get_settings
        from campaigns.store.db import make_engine

    try:
        settings = get_settings()
        url = make_url(settings.database_url)
        engine = make_engine(settings.database_url, **_connect_timeout(url.get_backend_name(), timeout))
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    # The workers are not asked: their heartbeats are read (campaigns.heartbeat), which takes no
    # Celery and no waiting. Redis gets what start-up left of the timeout (loading the libraries
    # takes ~0.3 s), less what the interpreter takes before this command runs and after it returns.
    wait = max(MIN_WAIT, timeout - (time.monotonic() - started) - OUTSIDE_THE_COMMAND)
    try:
        result = check_health(
            engine=engine,
            now=utc_now(),
            workers=lambda: check_heartbeats(lambda: alive_workers(settings, timeout=wait)),
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
