"""``campaigns status``: the campaigns in the schedule and their posts, section by section."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from campaigns.commands import database
from campaigns.commands.database import friendly, open_engine
from campaigns.commands.held import print_held_accounts
from campaigns.commands.metrics import print_read_budget, read_budget_today
from campaigns.commands.output import console, preview, table, when
from campaigns.store.db import read_connection
from campaigns.store.held_accounts import held_accounts
from campaigns.store.problems import current_problems
from campaigns.store.status_report import status_report

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import Row

    from campaigns.store.problems import Problem

    Campaign = Row[Any]  # rows of the Core tables (campaigns.store.core_tables): no SQLModel loaded
    Post = Row[Any]
    SpecProblems = Row[Any]


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
    shown = table(f"{title} ({len(posts)})", "scheduled", "post", "channel", "status", last[0])
    for post in posts:
        at = when(post.scheduled_at, zones.get(post.campaign_slug, "UTC"))
        shown.add_row(at, post.id, post.channel, post.status, last[1](post))
    return shown


def _print_spec_problems(out: Console, problems: SpecProblems) -> None:
    """First and in red: whoever edited a spec sees that their change was refused, and why."""
    out.print(
        f"Spec changes NOT applied since {when(problems.since, 'UTC')}: "
        "the last valid version stays in force",
        style="bold red",
    )
    for line in problems.problems:
        out.print(line, style="red", soft_wrap=True)  # one line each, to copy or click
    out.print("Fix them (`campaigns validate` checks them): the service applies the specs within 10 s.")


def _print_problems(out: Console, problems: Sequence[Problem]) -> None:
    """Held accounts, failed/missed posts, spent read budgets, undelivered reports: one line each."""
    if not problems:
        return
    out.print(f"Needs a person ({len(problems)}):", style="bold red")
    for problem in problems:
        out.print(f"- {problem}", style="red", soft_wrap=True)


@click.command()
@click.argument("campaign", required=False)
@click.option("--limit", default=20, show_default=True, help="At most this many posts per section.")
@friendly
def status(campaign: str | None, limit: int) -> None:
    """Show upcoming, published, unconfirmed, failed and missed posts (of one campaign, or all)."""
    now = database.utcnow()
    with open_engine() as engine, read_connection(engine) as connection:
        report = status_report(session=connection, slug=campaign, limit=limit)
        budget = read_budget_today(connection, [c.slug for c in report.campaigns], now)
        problems = current_problems(session=connection, now=now)
        held = held_accounts(session=connection, slug=campaign)
    out = console()
    if report.spec_problems is not None:
        _print_spec_problems(out, report.spec_problems)
    print_held_accounts(out, held)
    _print_problems(
        out, [p for p in problems if campaign is None or not p.campaigns or campaign in p.campaigns]
    )
    campaigns = table("Campaigns", "campaign", "name", "state", "spec file")
    for row in report.campaigns:
        campaigns.add_row(row.slug, row.name, _state(row), row.source)
    out.print(campaigns)
    print_read_budget(out, budget, now)
    zones = {c.slug: c.timezone for c in report.campaigns}

    def upcoming(post: Post) -> str:
        late = post.status == "scheduled" and post.missed_after < now
        return ("OVERDUE (will be missed) " if late else "") + preview(post.text)

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
            out.print(_section(title, posts, zones, last))
        else:
            out.print(f"{title}: none.")
    if report.failed or report.missed:
        out.print("`campaigns retry POST_ID` sends a failed or missed post now.")
