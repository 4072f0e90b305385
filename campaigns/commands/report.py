"""``campaigns report``: a campaign's weekly engagement report, on demand."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from campaigns.clock import utc_now
from campaigns.commands.database import friendly
from campaigns.commands.database import open_engine as _engine
from campaigns.commands.output import console as _console
from campaigns.commands.output import table as _table


@click.command()
@click.argument("campaign", required=False)
@click.option("--week", "week_text", metavar="YYYY-Www", help="ISO week, e.g. 2027-W14 (default: last week).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "png", "csv", "json"]),
    default="html",
    show_default=True,
    help="html and png write files; csv and json print to standard output.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the files (default: the archive, DATA_DIR/reports/<campaign>/<week>).",
)
@click.option("--compare", is_flag=True, help="Print this week's headline figures next to the week before.")
@friendly
def report(campaign: str | None, week_text: str | None, fmt: str, out: Path | None, compare: bool) -> None:
    """Build the weekly report of CAMPAIGN (its slug or name; every campaign if omitted)."""
    from campaigns.reports.build import (
        UnknownCampaign,
        active_campaigns,
        archive_dir,
        build,
        find_campaign,
        write_files,
    )
    from campaigns.reports.weeks import BadWeek, parse_week, previous_week
    from campaigns.settings import get_settings

    now = utc_now()
    with _engine() as engine:
        try:
            campaigns = [find_campaign(engine, campaign)] if campaign else active_campaigns(engine)
            fixed_week = parse_week(week_text) if week_text else None
        except (UnknownCampaign, BadWeek) as e:
            raise click.ClickException(str(e)) from None
        if not campaigns:
            raise click.ClickException("there is no campaign in the schedule: run `campaigns apply` first")
        for row in campaigns:
            week = fixed_week or previous_week(now, row.timezone)
            rendered = build(engine, row, week, now)
            if compare:  # on stderr when stdout carries CSV or JSON
                _print_comparison(rendered.report, to_stderr=fmt in ("csv", "json"))
            if fmt in ("csv", "json"):
                sys.stdout.write(rendered.csv if fmt == "csv" else rendered.json)
                continue
            folder = out or archive_dir(get_settings().data_dir, row.slug, week)
            html = write_files(rendered, folder)
            if fmt == "png":
                shown = (
                    ", ".join(str(folder / f"{c.name}.png") for c in rendered.charts) or "no charts: no data"
                )
                click.echo(f"{row.slug} {week}: {shown}")
            else:
                note = "" if rendered.report.has_data else " (no data that week: the report says so)"
                click.echo(f"{row.slug} {week}: {html}{note}")


def _print_comparison(report: object, *, to_stderr: bool) -> None:
    from campaigns.reports.export import rows
    from campaigns.reports.report import WeekReport

    assert isinstance(report, WeekReport)
    table = _table(f"{report.slug} {report.week} vs the week before", "figure", "this week", "week before")
    for section, channel, item, value, previous in rows(report):
        if section in ("posts", "headline", "hashtag"):
            table.add_row(f"{channel} {item}".strip(), _cell(value), _cell(previous))
    console = _console()
    if to_stderr:
        console.stderr = True
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{100 * value:.2f} %"
    return f"{value:,}" if isinstance(value, int) else str(value)
