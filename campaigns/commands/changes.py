"""``campaigns diff`` and ``campaigns apply``: what the specs change in the schedule, and doing it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy import Engine, select

from campaigns.commands import database
from campaigns.commands.database import friendly, open_engine
from campaigns.commands.output import console as _console
from campaigns.render.diff_table import count_line, render_diff
from campaigns.settings import get_settings
from campaigns.spec import CampaignSpec, load_specs
from campaigns.store.core_tables import CAMPAIGNS
from campaigns.store.db import read_connection
from campaigns.store.reconcile import compute_diff, empty_folder_problem

SPECS = click.option(
    "--specs",
    "specs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of campaign specs (default: SPECS_DIR, campaign_specs).",
)


def _load(specs_dir: Path | None, engine: Engine, *, allow_empty: bool = False) -> list[CampaignSpec]:
    folder = specs_dir or get_settings().specs_dir
    loaded = load_specs([folder], today=database.utcnow().date())
    if not allow_empty:
        with read_connection(engine) as connection:
            empty = empty_folder_problem(session=connection, specs_dir=folder, files=loaded.files)
        if empty is not None:
            raise click.ClickException(f"{empty.path}: {empty.message}; `--allow-empty` does it anyway")
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    if not loaded.ok:
        raise click.ClickException(f"{len(loaded.errors)} error(s) in {folder}: nothing applied")
    return loaded.campaigns


def _zones(specs: Sequence[CampaignSpec], engine: Engine) -> dict[str, str]:
    with read_connection(engine) as connection:
        stored = connection.execute(select(CAMPAIGNS.c.slug, CAMPAIGNS.c.timezone))
        zones: dict[str, str] = dict(stored.all())  # rows are (slug, zone) pairs
    return zones | {spec.slug: spec.timezone for spec in specs}


FULL = click.option("--full", is_flag=True, help="Show every post change (a large change is summarised).")


@click.command()
@SPECS
@FULL
@friendly
def diff(specs_dir: Path | None, full: bool) -> None:
    """Show what the campaign specs would change in the schedule, post by post (changes nothing)."""
    with open_engine() as engine:
        specs = _load(specs_dir, engine, allow_empty=True)
        with read_connection(engine) as connection:
            planned = compute_diff(session=connection, specs=specs, now=database.utcnow())
        render_diff(planned, _zones(specs, engine), _console(), full=full)


@click.command()
@SPECS
@click.option(
    "--allow-empty", is_flag=True, help="Apply even an empty specs folder (cancels every campaign)."
)
@FULL
@click.option("--quiet", "-q", is_flag=True, help="Show only how many changes of each kind were made.")
@friendly
def apply(specs_dir: Path | None, allow_empty: bool, full: bool, quiet: bool) -> None:
    """Make the schedule follow the campaign specs, one transaction per campaign. Published posts are never touched."""
    from campaigns.store.sync import apply_specs  # here: the writes load SQLModel; `diff` does not

    with open_engine() as engine:
        specs = _load(specs_dir, engine, allow_empty=allow_empty)
        applied = apply_specs(engine=engine, specs=specs, now=database.utcnow())
        if not quiet:
            render_diff(applied, _zones(specs, engine), _console(), full=full)
        elif applied.posts:
            click.echo(count_line(applied.posts))
    click.echo("Applied." if not applied.is_empty else "Nothing to apply.")
