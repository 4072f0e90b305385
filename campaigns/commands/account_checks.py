"""``campaigns accounts check`` and ``campaigns publish-test``: do the accounts work?"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import click

from campaigns.account_config import CHANNELS, AccountConfig
from campaigns.clock import utc_now
from campaigns.platforms import MediaFile, PlatformError, TransientError, platform_for
from campaigns.settings import Settings, SettingsError, get_settings


@click.group()
def accounts() -> None:
    """The X and Facebook accounts the service publishes with."""


@accounts.command()
def check() -> None:
    """Ask each configured account's platform who it is (X users/me, Graph me).

    Prints one line per account and exits with status 1 if any of them does not work. An account
    the service had stopped using (rejected credentials) and that works now is resumed at once.
    """
    settings = _settings()
    configs = settings.accounts()
    width = max(len(c.name) for c in configs)
    working = []
    for config in configs:
        ok, detail = _check(config, settings)
        if ok:
            working.append(config)
        click.echo(f"{config.platform:<8} {config.name:<{width}}  {'ok' if ok else 'FAILED'}  {detail}")
    for label in _resume(working):
        click.echo(f"{label} works again: its held posts go out from the next tick.")
    if len(working) < len(configs):
        raise SystemExit(1)


def _resume(working: Sequence[AccountConfig]) -> list[str]:
    """Clear the "needs attention" flag of the accounts that work now, so that their held posts go
    out at once rather than at the service's next re-check (up to 5 minutes). Returns their labels.

    Nothing to do without a schedule database: this command also runs before the service ever has.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from campaigns.store.account_states import clear_credentials_flag
    from campaigns.store.db import database_url, make_engine, session_scope

    url = make_url(database_url())
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return []  # never created: do not create an empty database just to look in it
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with session_scope(engine) as session:
            now = utc_now()
            return [
                c.label
                for c in working
                if clear_credentials_flag(session=session, platform=c.platform, account=c.name, now=now)
            ]
    except SQLAlchemyError:  # no schedule tables yet, or the database is down: nothing is held there
        return []
    finally:
        engine.dispose()


@click.command("publish-test")
@click.option("--text", required=True, help="What to post.")
@click.option(
    "--image", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="An image to attach."
)
@click.option("--alt", help="The image's description for screen readers (required with --image).")
@click.option(
    "--channel",
    type=click.Choice(CHANNELS),
    multiple=True,
    help="Only this platform (repeatable; default: both).",
)
def publish_test(text: str, image: Path | None, alt: str | None, channel: Sequence[str]) -> None:
    """Publish one post to each platform's default account and print where it went.

    Without credentials configured this posts to the local sandbox: start it with
    `campaigns sandbox` and open its page to see the post.
    """
    if image is not None and not alt:
        raise click.UsageError("--alt is required with --image: people using screen readers need it")
    if alt and image is None:
        raise click.UsageError("--alt describes an image: give --image too")
    media = [MediaFile(image, alt or "")] if image is not None else []
    settings = _settings()
    failures = 0
    for name in channel or CHANNELS:
        config = _account(settings, name)
        platform = platform_for(
            config, timeout=settings.http_timeout, graph_version=settings.graph_api_version
        )
        try:
            post = platform.publish(text, media=media)
        except PlatformError as e:
            failures += 1
            click.echo(f"{config.platform:<8} {config.name}  FAILED  {_reason(e, config)}")
        else:
            click.echo(f"{config.platform:<8} {config.name}  published  {post.id}  {post.url}")
        finally:
            platform.close()
    if failures:
        raise SystemExit(1)


def _check(config: AccountConfig, settings: Settings) -> tuple[bool, str]:
    platform = platform_for(config, timeout=settings.http_timeout, graph_version=settings.graph_api_version)
    try:
        status = platform.check()
    except PlatformError as e:
        return False, _reason(e, config)
    finally:
        platform.close()
    return True, f"{status.handle} ({_where(config)})"


def _reason(error: PlatformError, config: AccountConfig) -> str:
    reason = f"{error.kind}: {error.message}"
    if isinstance(error, TransientError) and config.is_sandbox:
        reason += f" (is `campaigns sandbox` running at {config.base_url}?)"
    return reason


def _where(config: AccountConfig) -> str:
    return f"sandbox {config.base_url}" if config.is_sandbox else str(urlsplit(config.base_url).netloc)


def _settings() -> Settings:
    try:
        settings = get_settings()
        settings.accounts()  # reads the accounts file now, so that its errors are reported here
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    return settings


def _account(settings: Settings, channel: str) -> AccountConfig:
    try:
        return settings.account("twitter" if channel == "twitter" else "facebook")
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
