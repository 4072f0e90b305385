"""Render a weekly report in every form, and archive it where the service can serve it.

Archive: ``<DATA_DIR>/reports/<campaign>/<week>/report.html`` (self-contained), ``<chart>.png``,
``report.csv`` and ``report.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from campaigns.reports import export
from campaigns.reports.charts import Chart, draw_all
from campaigns.reports.html import render_html
from campaigns.reports.report import WeekReport, build_week_report
from campaigns.reports.weeks import Week
from campaigns.store.db import session_scope
from campaigns.store.models import Campaign


class UnknownCampaign(LookupError):
    """No campaign by that slug or name."""


@dataclass(frozen=True)
class Rendered:
    report: WeekReport
    charts: list[Chart]
    html: str  # charts inline as SVG: the file to open or print
    email_html: str  # charts as cid: images
    csv: str
    json: str
    text: str


def render(report: WeekReport) -> Rendered:
    charts = draw_all(report) if report.has_data else []
    return Rendered(
        report=report,
        charts=charts,
        html=render_html(report, charts),
        email_html=render_html(report, charts, cid=True),
        csv=export.to_csv(report),
        json=export.to_json(report),
        text=export.to_text(report),
    )


def archive_dir(data_dir: Path, slug: str, week: Week) -> Path:
    return data_dir / "reports" / slug / str(week)


def write_files(rendered: Rendered, folder: Path) -> Path:
    """Write the report's files into ``folder``; returns the HTML file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text(rendered.html, encoding="utf-8")
    (folder / "report.csv").write_text(rendered.csv, encoding="utf-8")
    (folder / "report.json").write_text(rendered.json, encoding="utf-8")
    for chart in rendered.charts:
        (folder / f"{chart.name}.png").write_bytes(chart.png)
    return folder / "report.html"


def find_campaign(engine: Engine, wanted: str) -> Campaign:
    """A campaign by slug ("ssw-week") or by name ("Social Service Workforce Week", any case)."""
    with session_scope(engine, read_only=True) as session:
        rows = list(session.exec(select(Campaign)))
    for row in rows:
        if wanted in (row.slug, row.name) or wanted.casefold() == row.name.casefold():
            return row
    known = ", ".join(sorted(r.slug for r in rows)) or "none: run `campaigns apply` first"
    raise UnknownCampaign(f"no campaign {wanted!r} in the schedule (campaigns: {known})")


def active_campaigns(engine: Engine) -> list[Campaign]:
    with session_scope(engine, read_only=True) as session:
        return list(session.exec(select(Campaign).where(Campaign.removed_at == None)))  # noqa: E711


def build(engine: Engine, campaign: Campaign, week: Week, now: datetime) -> Rendered:
    with session_scope(engine, read_only=True) as session:
        report = build_week_report(session, campaign, week, now)
    return render(report)
