"""``campaigns diff|apply|pause|resume|status|retry|db``: the schedule in the database."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from campaigns.commands.held import print_held_accounts
from campaigns.commands.metrics import print_read_budget, read_budget_today
from campaigns.render.diff_table import count_line, render_diff
from campaigns.settings import SettingsError, get_settings
from campaigns.spec import CampaignSpec, load_specs
from campaigns.store import migrate
from campaigns.store.account_states import held_accounts
from campaigns.store.db import database_url, make_engine, session_scope
from campaigns.store.models import Campaign, Post
from campaigns.store.pipeline_models import SpecProblems
from campaigns.store.problems import Problem, current_problems
from campaigns.store.queries import NotFound, NotRetryable, retry_post, set_operator_pause, status_report
from campaigns.store.sync import (
    ScheduleConflict,
    apply_specs,
    compute_diff,
    empty_folder_problem,
)

P = ParamSpec("P")
R = TypeVar("R")
SPECS = click.option(
    "--specs",
    "specs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of campaign specs (default: SPECS_DIR, campaign_specs).",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def friendly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors people cause or meet into one line (click prints it, exit code 1)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (NotFound, NotRetryable, SettingsError, ScheduleConflict) as exc:
            raise click.ClickException(str(exc)) from None
        except FileNotFoundError as exc:
            raise click.ClickException(f"no such file or folder: {exc.filename or exc}") from None
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown error"
            raise click.ClickException(f"cannot use the database {_shown_url()}: {reason}") from None

    return wrapper


def _shown_url() -> str:
    return make_url(database_url()).render_as_string(hide_password=True)


@contextmanager
def _engine(*, migrated: bool = True) -> Iterator[Engine]:
    engine = make_engine()
    try:
        if migrated and migrate.current_revision(engine) != migrate.head_revision():
            raise click.ClickException(
                f"the database {_shown_url()} is not up to date: run `campaigns db upgrade`"
            )
        yield engine
    finally:
        engine.dispose()


def _console() -> Console:
    # No markup or emoji codes: post ids and texts are data ("ssw-week:one:twitter" is not :one:).
    return Console(highlight=False, markup=False, emoji=False, soft_wrap=False, width=160)


def _table(title: str, *columns: str) -> Table:
    """Every column but the last stays on one line (ids, times); the last one wraps if it must."""
    table = Table(title=title)
    for column in columns[:-1]:
        table.add_column(column, no_wrap=True)
    table.add_column(columns[-1], overflow="fold")
    return table


def _when(at: datetime | None, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%a %d %b %Y %H:%M %Z") if at else ""


def _preview(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# --- diff / apply ---------------------------------------------------------------------------


def _load(specs_dir: Path | None, engine: Engine, *, allow_empty: bool = False) -> list[CampaignSpec]:
    folder = specs_dir or get_settings().specs_dir
    loaded = load_specs([folder], today=utcnow().date())
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


def _zones(specs: Sequence[CampaignSpec], engine: Engine) -> dict[str, str]:
    with session_scope(engine, read_only=True) as session:
        zones = {c.slug: c.timezone for c in session.exec(select(Campaign)).all()}
    return zones | {spec.slug: spec.timezone for spec in specs}


FULL = click.option("--full", is_flag=True, help="Show every post change (a large change is summarised).")


@click.command()
@SPECS
@FULL
@friendly
def diff(specs_dir: Path | None, full: bool) -> None:
    """Show what the campaign specs would change in the schedule, post by post (changes nothing)."""
    with _engine() as engine:
        specs = _load(specs_dir, engine, allow_empty=True)
        with session_scope(engine, read_only=True) as session:
            planned = compute_diff(session=session, specs=specs, now=utcnow())
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
    with _engine() as engine:
        specs = _load(specs_dir, engine, allow_empty=allow_empty)
        applied = apply_specs(engine=engine, specs=specs, now=utcnow())
        if not quiet:
            render_diff(applied, _zones(specs, engine), _console(), full=full)
        elif applied.posts:
            click.echo(count_line(applied.posts))
    click.echo("Applied." if not applied.is_empty else "Nothing to apply.")


# --- pause / resume / retry -----------------------------------------------------------------

TARGET = click.argument("campaign", required=False)
ALL = click.option("--all", "everything", is_flag=True, help="Every campaign in the schedule.")


def _target(campaign: str | None, everything: bool) -> str | None:
    if (campaign is None) == (not everything):
        raise click.UsageError("name one CAMPAIGN, or give --all")
    return campaign


@click.command()
@TARGET
@ALL
@friendly
def pause(campaign: str | None, everything: bool) -> None:
    """Stop publishing a campaign's posts (from the next tick) until `campaigns resume`."""
    slug = _target(campaign, everything)
    with _engine() as engine, session_scope(engine) as session:
        result = set_operator_pause(session=session, slug=slug, paused=True, now=utcnow())
    if slug is None and not result.targets:
        raise click.ClickException("there is no campaign in the schedule to pause")
    click.echo(f"Paused {slug or 'every campaign'}.")
    click.echo("Its posts stay scheduled; any whose late window passes meanwhile will be missed.")


@click.command()
@TARGET
@ALL
@friendly
def resume(campaign: str | None, everything: bool) -> None:
    """Publish a paused campaign's posts again. A `paused: true` in its spec still holds it."""
    slug = _target(campaign, everything)
    with _engine() as engine, session_scope(engine) as session:
        result = set_operator_pause(session=session, slug=slug, paused=False, now=utcnow())
    click.echo(f"Resumed {slug or 'every campaign'}.")
    for held in result.still_paused_by_spec:
        click.echo(
            f"{held} is still paused by its spec: remove `paused: true` there and run `campaigns apply`."
        )


@click.command()
@click.argument("post_id")
@friendly
def retry(post_id: str) -> None:
    """Put a failed or missed post back in the queue, to go out now."""
    with _engine() as engine, session_scope(engine) as session:
        post = retry_post(session=session, post_id=post_id, now=utcnow())
        campaign = session.get(Campaign, post.campaign_slug)
    tz = campaign.timezone if campaign else "UTC"
    click.echo(
        f"Post {post_id} is scheduled again: it goes out on the next tick, at the latest by "
        f"{_when(post.missed_after, tz)}."
    )
    if campaign is not None and campaign.paused:
        click.echo(f"Its campaign {campaign.slug} is paused: it waits for `campaigns resume`.")


# --- status ---------------------------------------------------------------------------------


def _state(campaign: Campaign) -> str:
    if campaign.removed_at is not None:
        return f"removed from the specs on {campaign.removed_at:%Y-%m-%d %H:%M} UTC"
    by = [
        who
        for who, on in (("its spec", campaign.spec_paused), ("an operator", campaign.operator_paused))
        if on
    ]
    return f"paused by {' and '.join(by)}" if by else "running"


def _section(
    title: str, posts: Sequence[Post], zones: dict[str, str], last: tuple[str, Callable[[Post], str]]
) -> Table:
    table = _table(f"{title} ({len(posts)})", "scheduled", "post", "channel", "status", last[0])
    for post in posts:
        when = _when(post.scheduled_at, zones.get(post.campaign_slug, "UTC"))
        table.add_row(when, post.id, post.channel, post.status, last[1](post))
    return table


def _print_spec_problems(console: Console, problems: SpecProblems) -> None:
    """First and in red: whoever edited a spec sees that their change was refused, and why."""
    console.print(
        f"Spec changes NOT applied since {_when(problems.since, 'UTC')}: "
        "the last valid version stays in force",
        style="bold red",
    )
    for line in problems.problems:
        console.print(line, style="red", soft_wrap=True)  # one line each, to copy or click
    console.print("Fix them (`campaigns validate` checks them): the service applies the specs within 10 s.")


def _print_problems(console: Console, problems: Sequence[Problem]) -> None:
    """Held accounts, failed/missed posts, spent read budgets, undelivered reports: one line each."""
    if not problems:
        return
    console.print(f"Needs a person ({len(problems)}):", style="bold red")
    for problem in problems:
        console.print(f"- {problem}", style="red", soft_wrap=True)


@click.command()
@click.argument("campaign", required=False)
@click.option("--limit", default=20, show_default=True, help="At most this many posts per section.")
@friendly
def status(campaign: str | None, limit: int) -> None:
    """Show upcoming, published, unconfirmed, failed and missed posts (of one campaign, or all)."""
    now = utcnow()
    with _engine() as engine, session_scope(engine, read_only=True) as session:
        report = status_report(session=session, slug=campaign, limit=limit)
        budget = read_budget_today(session, [c.slug for c in report.campaigns], now)
        problems = current_problems(session=session, now=now)
        held = held_accounts(session=session, slug=campaign)
    console = _console()
    if report.spec_problems is not None:
        _print_spec_problems(console, report.spec_problems)
    print_held_accounts(console, held)
    _print_problems(
        console, [p for p in problems if campaign is None or not p.campaigns or campaign in p.campaigns]
    )
    campaigns = _table("Campaigns", "campaign", "name", "state", "spec file")
    for row in report.campaigns:
        campaigns.add_row(row.slug, row.name, _state(row), row.source)
    console.print(campaigns)
    print_read_budget(console, budget, now)
    zones = {c.slug: c.timezone for c in report.campaigns}

    def upcoming(post: Post) -> str:
        late = post.status == "scheduled" and post.missed_after < now
        return ("OVERDUE (will be missed) " if late else "") + _preview(post.text)

    def reason(post: Post) -> str:
        return post.status_reason or post.last_error or ""

    sections: list[tuple[str, Sequence[Post], tuple[str, Callable[[Post], str]]]] = [
        ("Upcoming", report.upcoming, ("text", upcoming)),
        ("Published", report.published, ("link", lambda p: p.remote_url or "")),
        ("Unconfirmed: being checked with the platform", report.unconfirmed, ("reason", reason)),
        ("Failed", report.failed, ("reason", reason)),
        ("Missed", report.missed, ("reason", reason)),
    ]
    for title, posts, last in sections:
        if posts:
            console.print(_section(title, posts, zones, last))
        else:
            console.print(f"{title}: none.")
    if report.failed or report.missed:
        console.print("`campaigns retry POST_ID` sends a failed or missed post now.")


# --- db -------------------------------------------------------------------------------------


@click.group()
def db() -> None:
    """The schedule database (DATABASE_URL; default SQLite in ./var)."""


@db.command()
@friendly
def upgrade() -> None:
    """Create or update the database's tables (run after installing a new version)."""
    with _engine(migrated=False) as engine:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    change = "already up to date" if before == after else f"upgraded from {before or 'empty'}"
    click.echo(f"Database {_shown_url()}: {change}, at revision {after}.")


@db.command()
@friendly
def current() -> None:
    """Show the database's schema revision, and the newest this version knows."""
    with _engine(migrated=False) as engine:
        revision = migrate.current_revision(engine)
    head = migrate.head_revision()
    verdict = "up to date" if revision == head else "run `campaigns db upgrade`"
    click.echo(f"Database {_shown_url()}: revision {revision or 'none (empty)'}; newest {head}: {verdict}.")
