"""``campaigns validate``, ``campaigns plan`` and ``campaigns schema``: working with spec files."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

import click

from campaigns.clock import utc_now
from campaigns.spec import LoadResult, load_specs

DEFAULT_SPECS = "campaign_specs"
DAY = click.DateTime(formats=["%Y-%m-%d"])
PATHS = click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=True, file_okay=True))


def _load(paths: tuple[str, ...]) -> LoadResult:
    return load_specs(list(paths) or [DEFAULT_SPECS], today=utc_now().date())


def _account_warnings(result: LoadResult) -> None:
    """Add a warning for each account a spec names that this machine's configuration lacks."""
    if not any(spec.doc.accounts for spec in result.campaigns):
        return
    from campaigns.settings import SettingsError, get_settings
    from campaigns.spec.account_checks import unconfigured_accounts

    try:
        configured = {(a.platform, a.name) for a in get_settings().accounts()}
    except SettingsError:
        return  # the configuration's own problem; `campaigns accounts check` reports it
    result.problems += unconfigured_accounts(result.campaigns, configured)


def _summary(result: LoadResult) -> str:
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    verdict = "valid" if result.ok else "INVALID"
    return f"{files} checked: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}: {verdict}"


@click.command()
@PATHS
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(paths: tuple[str, ...], fmt: str) -> None:
    """Check campaign specs (default: campaign_specs/) and report every problem as file:line:col."""
    result = _load(paths)
    _account_warnings(result)
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in result.problems], indent=2, ensure_ascii=False))
    else:
        for problem in result.problems:
            click.echo(str(problem))
        click.echo(_summary(result), err=True)
    sys.exit(0 if result.ok else 1)


@click.command()
@PATHS
@click.option("--from", "start", type=DAY, help="First local date (YYYY-MM-DD); default today.")
@click.option("--to", "end", type=DAY, help="Last local date (YYYY-MM-DD); default a year on.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "ics"]), default="table", show_default=True
)
@click.option(
    "--wide", is_flag=True, help="Table: each text on one line, however wide (default: wrap to the terminal)."
)
def plan(paths: tuple[str, ...], start: datetime | None, end: datetime | None, fmt: str, wide: bool) -> None:
    """Show every post the campaigns will publish between two dates, in order."""
    from campaigns.plan import plan_posts

    now = utc_now()
    first = start.date() if start else now.date()
    last = end.date() if end else first + timedelta(days=365)
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    result = _load(paths)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if not result.ok:
        click.echo(_summary(result) + " (nothing planned)", err=True)
        sys.exit(1)
    posts = plan_posts(result.campaigns, first, last)
    if fmt == "json":
        from campaigns.render.plan_json import render_json

        click.echo(render_json(posts))
    elif fmt == "ics":
        from campaigns.render.plan_ics import render_ics

        sys.stdout.buffer.write(render_ics(posts, now=now))
    else:
        from rich.console import Console

        from campaigns.render.plan_table import render_table

        render_table(posts, Console(), wide=wide)


@click.command()
def schema() -> None:
    """Print the JSON Schema of the campaign spec format (for editor autocompletion)."""
    from campaigns.spec.model import json_schema

    click.echo(json.dumps(json_schema(), indent=2))
