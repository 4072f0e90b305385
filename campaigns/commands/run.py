"""``campaigns run``: the whole service on one machine (``make run``). See campaigns/service."""

from __future__ import annotations

import sys

import click

from campaigns.settings import SettingsError, get_settings


@click.command()
@click.option(
    "--health-host",
    default="127.0.0.1",
    show_default=True,
    envvar="HEALTH_HOST",
    help="Interface of /healthz.",
)
@click.option(
    "--health-port",
    default=8766,
    show_default=True,
    envvar="HEALTH_PORT",
    type=click.IntRange(0, 65535),
    help="Port of /healthz (0: any free port).",
)
@click.option(
    "--concurrency",
    default=2,
    show_default=True,
    envvar="WORKER_CONCURRENCY",
    type=click.IntRange(1, 64),
    help="Worker processes publishing at once.",
)
@click.option(
    "--web-host",
    default="127.0.0.1",
    show_default=True,
    envvar="WEB_HOST",
    help="Interface of the dashboard.",
)
@click.option(
    "--web-port",
    default=8767,
    show_default=True,
    envvar="WEB_PORT",
    type=click.IntRange(1, 65535),
    help="Port of the dashboard.",
)
@click.option("--no-web", is_flag=True, help="Do not serve the dashboard.")
def run(
    health_host: str, health_port: int, concurrency: int, web_host: str, web_port: int, no_web: bool
) -> None:
    """Start the service: database, sandbox (without credentials), specs, Celery worker and beat.

    Uses SQLite and an embedded broker unless DATABASE_URL and REDIS_URL say otherwise. Logs one
    line per published post. Ctrl-C stops everything.
    """
    from campaigns.service import Options, Service, ServiceError

    try:
        settings = get_settings()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    options = Options(
        health_host=health_host,
        health_port=health_port,
        concurrency=concurrency,
        web_host=web_host,
        web_port=None if no_web else web_port,
    )
    try:
        code = Service(settings, options, click.echo).run()
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:  # Ctrl-C while starting: what had started is stopped already
        click.echo("Interrupted while starting; stopped.", err=True)
        code = 130
    sys.exit(code)
