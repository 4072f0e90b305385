"""``campaigns web``: the dashboard alone (``campaigns run`` also serves it)."""

from __future__ import annotations

import click

from campaigns.settings import SettingsError, get_settings


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, envvar="WEB_HOST", help="Interface to listen on."
)
@click.option(
    "--port", default=8767, show_default=True, envvar="WEB_PORT", type=click.IntRange(0, 65535), help="Port."
)
@click.option(
    "--trusted-proxies",
    default="127.0.0.1",
    show_default=True,
    envvar="WEB_TRUSTED_PROXIES",
    help="Addresses whose X-Forwarded-Proto/-For headers are believed (an HTTPS proxy).",
)
def web(host: str, port: int, trusted_proxies: str) -> None:
    """Serve the dashboard (log in with a user from `campaigns users add`)."""
    from campaigns.commands.database import open_engine as _engine
    from campaigns.web.serve import make_server, web_config

    try:
        settings = get_settings()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    from worker.app import make_app

    with _engine() as engine:
        server = make_server(web_config(settings, engine, make_app(settings)), host, port, trusted_proxies)
        click.echo(f"Dashboard on http://{host}:{port}/ (Ctrl-C stops it)")
        server.run()
