"""``campaigns metrics collect``: one collection cycle now; and the X read budget lines that
``campaigns status`` shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from campaigns.clock import utc_now
from campaigns.store.read_budgets import budget_rows

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row


@click.group()
def metrics() -> None:
    """Engagement metrics: our posts' numbers and others' use of the campaign hashtags."""


@metrics.command()
@click.option("--campaign", help="Only this campaign (its short name, the spec file's stem).")
def collect(campaign: str | None) -> None:
    """Read what is due now (as the running service does on its own) and show what was read."""
    from campaigns.commands.database import friendly
    from campaigns.commands.database import open_engine as _engine
    from campaigns.commands.output import console as _console
    from campaigns.metrics.collect import collect_metrics
    from campaigns.metrics.hashtags import campaign_hashtags
    from campaigns.metrics.options import options_from
    from campaigns.publishing import Context, PlatformPool
    from campaigns.settings import get_settings

    @friendly
    def run() -> None:
        settings = get_settings()
        now = utc_now()
        with _engine() as engine:
            ctx = Context(engine=engine, platforms=PlatformPool(settings))
            try:
                summary = collect_metrics(
                    ctx,
                    hashtags=campaign_hashtags(settings.specs_dir, today=now.date()),
                    options=options_from(settings),
                    campaign=campaign,
                )
            finally:
                ctx.platforms.close()
        console = _console()
        if not summary.campaigns:
            days = settings.metrics_active_days
            console.print(f"No active campaign (first day to {days} days after its last post).")
            return
        table = Table(title="Metrics collected")
        for column in (
            "campaign",
            "posts read",
            "hashtag hours",
            "samples",
            "X reads today",
            "gaps",
            "notes",
        ):
            table.add_column(column, no_wrap=column != "notes", overflow="fold")
        for row in summary.campaigns:
            reads = f"{row.reads:,}/{row.read_limit:,}" if row.reads is not None else ""
            table.add_row(
                row.slug,
                str(row.posts_read),
                str(row.hours),
                str(row.samples),
                reads,
                str(row.gaps),
                "; ".join(row.notes),
            )
        console.print(table)

    run()


def read_budget_today(session: Connection, slugs: list[str], now: datetime) -> list[Row[Any]]:
    return budget_rows(session, now.astimezone(UTC).date(), slugs)


def print_read_budget(console: Console, rows: list[Row[Any]], now: datetime) -> None:
    """Today's X read budget per campaign (``campaigns status``): nothing when nothing was read."""
    if not rows:
        return
    table = Table(title=f"X reads for metrics today ({now:%Y-%m-%d} UTC; X bills reads per post)")
    for column in ("campaign", "reads", "limit", "state"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        state = (
            f"spent at {row.exhausted_at:%H:%M} UTC: collection stopped until tomorrow"
            if row.exhausted_at
            else "ok"
        )
        table.add_row(row.campaign_slug, f"{row.reads:,}", f"{row.limit:,}", state)
    console.print(table)
