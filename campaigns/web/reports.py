"""``/reports``: the archive of weekly reports, ``DATA_DIR/reports/<campaign>/<ISO week>/``.

Each week's folder holds ``report.html``, charts (``*.png``), ``report.csv`` and ``report.json``,
written by the weekly-report job. Files are served only by names found in the listing (no path
from the request reaches the file system).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import FileResponse, Response

from campaigns.web.framework import Ctx, page

WEEK = re.compile(r"^\d{4}-W\d{2}$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TYPES = {".html": "text/html", ".png": "image/png", ".csv": "text/csv", ".json": "application/json"}
# A report's HTML is shown in its own page, boxed in: no script runs, nothing outside loads.
REPORT_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


@dataclass(frozen=True, slots=True)
class Week:
    campaign: str
    week: str
    files: list[str]

    @property
    def charts(self) -> list[str]:
        return [f for f in self.files if f.endswith(".png")]


def archive(root: Path) -> list[Week]:
    """Every campaign's weeks, newest week first; only names that look like ours."""
    if not root.is_dir():
        return []
    weeks = []
    for campaign in sorted(p for p in root.iterdir() if p.is_dir() and NAME.match(p.name)):
        for week in (p for p in campaign.iterdir() if p.is_dir() and WEEK.match(p.name)):
            files = sorted(
                f.name for f in week.iterdir() if f.is_file() and NAME.match(f.name) and f.suffix in TYPES
            )
            if files:
                weeks.append(Week(campaign.name, week.name, files))
    return sorted(weeks, key=lambda w: (w.week, w.campaign), reverse=True)


def _root(ctx: Ctx) -> Path:
    return ctx.config.data_dir / "reports"


@page("viewer")
def reports_page(ctx: Ctx) -> Response:
    weeks = archive(_root(ctx))
    return ctx.render("reports.html", title="Reports", weeks=weeks, root=_root(ctx))


def _find(ctx: Ctx) -> tuple[Week, str] | None:
    campaign, week, name = (ctx.request.path_params[k] for k in ("campaign", "week", "name"))
    for entry in archive(_root(ctx)):
        if entry.campaign == campaign and entry.week == week and name in entry.files:
            return entry, name
    return None


@page("viewer")
def report_view(ctx: Ctx) -> Response:
    found = _find(ctx)
    if found is None:
        return ctx.render("error.html", 404, title="No such report", message="There is no such report.")
    entry, _ = found
    return ctx.render("report.html", title=f"{entry.campaign} {entry.week}", entry=entry)


@page("viewer")
def report_file(ctx: Ctx) -> Response:
    found = _find(ctx)
    if found is None:
        return Response("no such file", 404)
    entry, name = found
    path = _root(ctx) / entry.campaign / entry.week / name
    download = ctx.request.query_params.get("download") == "1"
    headers = {"Content-Security-Policy": REPORT_CSP, "X-Content-Type-Options": "nosniff"}
    return FileResponse(
        path,
        media_type=TYPES[path.suffix],
        headers=headers,
        filename=f"{entry.campaign}-{entry.week}-{name}" if download else None,
        content_disposition_type="attachment" if download else "inline",
    )
