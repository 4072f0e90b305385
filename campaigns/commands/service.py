"""``campaigns health``: is the running service working (posts on time, beat ticking, workers up)?"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click

from campaigns.settings import SettingsError, get_settings


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--timeout",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for workers.",
)
def health(as_json: bool, timeout: float) -> None:
    """Check for overdue posts, a silent beat and workers that do not answer.

    Prints one line per check and exits with status 1 if any of them is red.
    """
    from campaigns.health import celery_ping, check_health
    from campaigns.store.db import make_engine

    try:
        settings = get_settings()
        engine = make_engine(settings.database_url)
        from worker.app import make_app

        app = make_app(settings)
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    try:
        result = check_health(
            engine=engine, now=datetime.now(UTC), ping=celery_ping(app, timeout), ping_timeout=timeout
        )
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        for check in result.checks:
            click.echo(f"{'ok' if check.ok else 'FAIL':<4}  {check.name:<8}  {check.detail}")
    sys.exit(0 if result.ok else 1)
