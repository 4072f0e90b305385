"""``campaigns sandbox``: run the local platform sandbox (X API v2 and Graph API look-alike)."""

from __future__ import annotations

from pathlib import Path

import click

from campaigns import demo_accounts
from campaigns.service.sandbox import port_in_use, sandbox_answers


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=demo_accounts.DEFAULT_PORT, show_default=True, type=int, help="Port to listen on."
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file that keeps accounts, posts and media across restarts (default: memory only).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the simulated engagement.")
@click.option(
    "--accounts",
    "extra_accounts",
    default=0,
    show_default=True,
    type=int,
    help="Extra deterministic accounts and Pages (see campaigns/demo_accounts.py).",
)
def sandbox(host: str, port: int, state: Path | None, seed: int, extra_accounts: int) -> None:
    """Run the platform sandbox that the X and Facebook clients publish to locally."""
    from sandbox.app import make_app
    from sandbox.core import Options
    from sandbox.serving import serve

    try:
        app = make_app(Options(seed=seed, extra_accounts=extra_accounts), state)
    except Exception as e:  # e.g. a state file that is not SQLite
        raise click.ClickException(f"cannot open the sandbox state: {e}") from None
    url = f"http://{host}:{port}"
    click.echo(f"Platform sandbox on {url}  (timelines: {url}/ , ground truth: {url}/_sandbox/posts)")
    click.echo(
        f"  X: demo account @{demo_accounts.X_USERNAME} (id {demo_accounts.X_USER_ID}); "
        f"Facebook: Page {demo_accounts.FB_PAGE_ID}."
    )
    click.echo(
        "  Demo credentials are in campaigns/demo_accounts.py; "
        "the admin API is described in sandbox/README.md."
    )
    if state is not None:
        click.echo(f"  State is kept in {state}.")
    if port_in_use(host, port):  # before the banner: one line, not a banner and then an error
        raise click.ClickException(busy_port_message(host, port))
    try:
        serve(app, host, port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def busy_port_message(host: str, port: int) -> str:
    """Why the sandbox cannot start and what changes the port: a sandbox of `campaigns run` (or `make
    run`) is the usual owner of 8765."""
    url = f"http://{host}:{port}"
    owner = (
        "a sandbox already runs there (`campaigns run` and `make run` start one): use it"
        if sandbox_answers(url)
        else "something else listens there"
    )
    return (
        f"cannot listen on {host}:{port}: port {port} is in use; {owner}, or start this one on another "
        f"port with --port (and set SANDBOX_URL=http://{host}:<that port> for the service)"
    )
