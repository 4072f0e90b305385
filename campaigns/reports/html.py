"""The report as one self-contained HTML page (charts inline as SVG), or as an e-mail body (CID images)."""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

from campaigns.reports.charts import CHARTS, LABELS, Chart
from campaigns.reports.figures import change
from campaigns.reports.report import WeekReport

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("campaigns.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.2f} %"


def delta(current: float | None, previous: float | None) -> str:
    """ "(▲ 12 %)" against the week before; "(new)" when there was nothing to compare with."""
    relative = change(current, previous)
    if relative is None:
        return "" if not current else "(new)"
    if abs(relative) < 0.005:
        return "(= last week)"
    return f"({'▲' if relative > 0 else '▼'} {abs(relative) * 100:.0f} %)"


def render_html(report: WeekReport, charts: Sequence[Chart], *, cid: bool = False) -> str:
    """The page; ``cid``: charts as ``cid:<name>`` images (e-mail) instead of inline SVG (file)."""
    drawn = {c.name for c in charts}
    return _ENV.get_template("report.html").render(
        r=report,
        charts=charts,
        cid=cid,
        missing_charts=[title for name, title, _ in CHARTS if name not in drawn],
        label=lambda channel: LABELS.get(channel, channel),
        pct=pct,
        delta=delta,
        short=lambda text: " ".join(text.split())[:140],
    )
