"""The report's charts, drawn with matplotlib's Agg backend (no display, no browser): PNG and SVG.

Each chart function returns None when it has nothing to draw: the report then says so in words
instead of showing empty axes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display is ever needed

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from campaigns.reports.report import WeekReport

COLOURS = {"twitter": "#1d3557", "facebook": "#e76f51"}
LABELS = {"twitter": "X", "facebook": "Facebook"}
plt.rcParams.update(
    {
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",  # text stays text in the SVG: smaller, and it prints sharp
        "svg.hashsalt": "campaigns",  # the same report gives the same SVG
    }
)


@dataclass(frozen=True, slots=True)
class Chart:
    name: str  # file stem and content id: "engagements-by-day"
    title: str
    png: bytes
    svg: str


def _figure(height: float = 2.6, *, left: float = 0.6) -> tuple[Figure, Axes]:
    """A figure 7 inches wide. Fixed margins (in inches) rather than a layout engine: a report with a
    million samples must render in well under a second, and constrained layout costs more than drawing."""
    figure = Figure(figsize=(7.0, height), dpi=110)
    figure.subplots_adjust(left=left / 7.0, right=1 - 0.15 / 7.0, bottom=0.5 / height, top=1 - 0.12 / height)
    return figure, figure.add_subplot()


def engagements_by_day(report: WeekReport) -> Figure | None:
    if not any(sum(c.daily) for c in report.channels):
        return None
    figure, ax = _figure()
    width = 0.8 / max(len(report.channels), 1)
    for k, channel in enumerate(report.channels):
        xs = [d + (k - (len(report.channels) - 1) / 2) * width for d in range(7)]
        ax.bar(xs, channel.daily, width, label=LABELS[channel.channel], color=COLOURS[channel.channel])
    ax.set_xticks(range(7), [d.strftime("%a %d") for d in report.days])
    ax.set_ylabel("engagements")
    ax.legend(frameon=False)
    return figure


def hashtag_volume(report: WeekReport) -> Figure | None:
    if not any(sum(h.hourly) for h in report.hashtags):
        return None
    figure, ax = _figure()
    for tag in report.hashtags:
        ax.plot(range(len(tag.hourly)), tag.hourly, label=tag.tag, linewidth=1.2)
    ax.set_xticks(range(0, 7 * 24, 24), [d.strftime("%a %d") for d in report.days])
    ax.set_ylabel("uses by others per hour")
    ax.legend(frameon=False)
    return figure


def top_posts(report: WeekReport) -> Figure | None:
    if not report.top_posts:
        return None
    posts = list(reversed(report.top_posts))
    figure, ax = _figure(0.7 + 0.42 * len(posts), left=3.2)
    labels = [f"{LABELS[p.channel]}: {_short(p.text, 34)}" for p in posts]
    ax.barh(labels, [p.engagements for p in posts], color=[COLOURS[p.channel] for p in posts])
    ax.set_xlabel("engagements this week")
    return figure


def growth(report: WeekReport) -> Figure | None:
    if not report.growth:
        return None
    figure, ax = _figure()
    for curve in report.growth:
        ax.plot([h for h, _ in curve.points], [v for _, v in curve.points], label=_short(curve.label, 50))
    ax.set_xlim(0, 72)
    ax.set_xticks(range(0, 73, 12))
    ax.set_xlabel("hours after publication")
    ax.set_ylabel("engagements")
    ax.legend(frameon=False, fontsize=7)
    return figure


def themes(report: WeekReport) -> Figure | None:
    if not any(t.engagements for t in report.themes):
        return None
    figure, ax = _figure(0.7 + 0.42 * len(report.themes), left=3.2)
    items = list(reversed(report.themes))
    ax.barh([_short(t.label, 42) for t in items], [t.engagements for t in items], color="#2a9d8f")
    ax.set_xlabel("engagements this week")
    return figure


def best_hour(report: WeekReport) -> Figure | None:
    if report.best_hour is None:
        return None
    figure, ax = _figure(2.2)
    best = report.best_hour.hour
    colours = ["#2a9d8f" if r.hour == best else "#adb5bd" for r in report.hours]
    ax.bar(
        [f"{r.hour:02d}:00" for r in report.hours], [100 * r.median_rate for r in report.hours], color=colours
    )
    ax.set_ylabel("median rate, %")
    return figure


CHARTS: list[tuple[str, str, Callable[[WeekReport], Figure | None]]] = [
    ("engagements-by-day", "Engagements per day", engagements_by_day),
    ("hashtag-volume", "Hashtag use by others, per hour", hashtag_volume),
    ("top-posts", "Top posts", top_posts),
    ("growth-72h", "Each top post's first 72 hours", growth),
    ("themes", "Days and themes compared", themes),
    ("best-hour", "Engagement rate by local hour posted", best_hour),
]


def draw_all(report: WeekReport) -> list[Chart]:
    """Every chart that has something to show, as PNG bytes and SVG text."""
    charts = []
    for name, title, draw in CHARTS:
        figure = draw(report)
        if figure is not None:
            charts.append(Chart(name, title, _png(figure), _svg(figure)))
    return charts


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration or DOCTYPE


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# For other pages drawn in the report's style (the dashboard's post page).
figure_of = _figure
png_of = _png
