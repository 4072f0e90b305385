"""``campaigns diff`` and ``campaigns apply``: what the specs change in the schedule, and doing it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlmodel import select

from campaigns.commands import database
from campaigns.commands.database import friendly, open_engine
from campaigns.commands.output import console as _console
from campaigns.commands.output import table as _table
from campaigns.commands.output import when as _when
from campaigns.settings import get_settings
from campaigns.spec import CampaignSpec, load_specs
from campaigns.store.db import session_scope
from campaigns.store.diff import Change, Kind
from campaigns.store.models import Campaign
from campaigns.store.sync import ScheduleDiff, apply_specs, compute_diff, empty_folder_problem

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
        with session_scope(engine, read_only=True) as session:
            empty = empty_folder_problem(session=session, specs_dir=folder, files=loaded.files)
        if empty is not None:
            raise click.ClickException(f"{empty.path}: {empty.message}; `--allow-empty` does it anyway")
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    if not loaded.ok:
        raise click.ClickException(f"{len(loaded.errors)} error(s) in {folder}: nothing applied")
    return loaded.campaigns


def _describe(change: Change) -> str:
    if change.kind == Kind.LEFT_ALONE:
        return f"left as {change.status}: see below"
    if change.note:
        return change.note
    if change.kind in (Kind.MOVED, Kind.EDITED, Kind.RESTORED) and change.fields:
        return "changed: " + ", ".join(change.fields)
    if change.status is not None and change.new_status is not None and change.status != change.new_status:
        return f"{change.status} -> {change.new_status}"
    return ""


def _render_diff(diff: ScheduleDiff, zones: dict[str, str]) -> None:
    console = _console()
    for campaign in diff.campaigns:
        console.print(
            f"campaign {campaign.slug}: {campaign.kind}"
            + (f" ({campaign.detail})" if campaign.detail else "")
        )
    if not diff.posts:
        console.print("No post changes: the schedule already follows the specs.")
        return
    table = _table("Schedule changes", "change", "post", "channel", "when", "details")
    for change in diff.posts:
        tz = zones.get(change.campaign, "UTC")
        when = _when(change.new_at or change.old_at, tz)
        if change.kind == Kind.MOVED:
            when = f"{_when(change.old_at, tz)} -> {_when(change.new_at, tz)}"
        table.add_row(str(change.kind), change.post_id, change.channel, when, _describe(change))
    console.print(table)
    for change in diff.posts:
        if change.kind == Kind.LEFT_ALONE:
            console.print(f"note: {change.note}", overflow="ignore", crop=False)
    counts: dict[str, int] = {}
    for change in diff.posts:
        counts[str(change.kind)] = counts.get(str(change.kind), 0) + 1
    console.print(", ".join(f"{n} {kind}" for kind, n in counts.items()))


def _zones(specs: Sequence[CampaignSpec], engine: Engine) -> dict[str, str]:
    with session_scope(engine, read_only=True) as session:
        zones = {c.slug: c.timezone for c in session.exec(select(Campaign)).all()}
    return zones | {spec.slug: spec.timezone for spec in specs}


@click.command()
@SPECS
@friendly
def diff(specs_dir: Path | None) -> None:
    """Show what the campaign specs would change in the schedule, post by post (changes nothing)."""
    with open_engine() as engine:
        specs = _load(specs_dir, engine, allow_empty=True)
        with session_scope(engine, read_only=True) as session:
            planned = compute_diff(session=session, specs=specs, now=database.utcnow())
        _render_diff(planned, _zones(specs, engine))


@click.command()
@SPECS
@click.option(
    "--allow-empty", is_flag=True, help="Apply even an empty specs folder (cancels every campaign)."
)
@friendly
def apply(specs_dir: Path | None, allow_empty: bool) -> None:
    """Make the schedule follow the campaign specs, in one transaction. Published posts are never touched."""
    with open_engine() as engine:
        specs = _load(specs_dir, engine, allow_empty=allow_empty)
        applied = apply_specs(engine=engine, specs=specs, now=database.utcnow())
        _render_diff(applied, _zones(specs, engine))
    click.echo("Applied." if not applied.is_empty else "Nothing to apply.")
