"""``/engagement``: a campaign's engagement over a chosen range of days (its own time zone): what
each channel's posts gained each day, with the totals and a chart.

The figures are the weekly report's (``campaigns.reports``): the largest reading per post, metric
and local day, carried forward; a day's gain is the difference between two days' ends.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from starlette.responses import Response

from campaigns.metrics.names import FACEBOOK, TWITTER
from campaigns.reports.data import post_cumulative
from campaigns.reports.figures import engagement_rate, gained_by_day
from campaigns.store.models import Campaign
from campaigns.web.framework import Ctx, page

MAX_DAYS = 92  # a quarter: the page stays quick and the chart readable
CHANNELS = ((TWITTER, "X"), (FACEBOOK, "Facebook"))


@dataclass(frozen=True, slots=True)
class ChannelRange:
    channel: str
    label: str
    impressions: list[int]  # gained each day
    engagements: list[int]

    @property
    def total_impressions(self) -> int:
        return sum(self.impressions)

    @property
    def total_engagements(self) -> int:
        return sum(self.engagements)

    @property
    def rate(self) -> float | None:
        return engagement_rate(self.total_engagements, self.total_impressions)


def day_bounds(first: date, last: date, zone: ZoneInfo) -> list[datetime]:
    """Local midnights from ``first`` to the day after ``last``, as UTC-comparable datetimes."""
    days = (last - first).days + 1
    return [datetime.combine(first + timedelta(days=k), time(), zone) for k in range(days + 1)]


def _parse(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _chart(days: list[date], ranges: list[ChannelRange]) -> str | None:
    if not any(r.total_engagements for r in ranges):
        return None
    from campaigns.reports.charts import COLOURS, figure_of, png_of

    figure, ax = figure_of(height=2.6)
    xs = list(range(len(days)))
    for r in ranges:
        ax.plot(xs, r.engagements, marker="o", markersize=3, color=COLOURS[r.channel], label=r.label)
    step = max(1, len(days) // 10)  # at most about ten labels
    ax.set_xticks(xs[::step], [d.strftime("%d %b") for d in days[::step]])
    ax.set_ylabel("engagements gained")
    ax.legend(frameon=False)
    return "data:image/png;base64," + base64.b64encode(png_of(figure)).decode("ascii")


@page("viewer")
def engagement(ctx: Ctx) -> Response:
    campaigns = ctx.db.exec(select(Campaign).order_by(col(Campaign.name))).all()
    query = ctx.request.query_params
    chosen = next(
        (c for c in campaigns if c.slug == query.get("campaign")), campaigns[0] if campaigns else None
    )
    today = ctx.now.date()
    first = _parse(query.get("from"), today - timedelta(days=13))
    last = _parse(query.get("to"), today)
    problem = None
    if last < first:
        first, last = last, first
    if (last - first).days + 1 > MAX_DAYS:
        problem = f"At most {MAX_DAYS} days at a time: showing the {MAX_DAYS} days up to {last}."
        first = last - timedelta(days=MAX_DAYS - 1)
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    ranges: list[ChannelRange] = []
    if chosen is not None:
        cumulative = post_cumulative(ctx.db, chosen.slug, day_bounds(first, last, ZoneInfo(chosen.timezone)))
        ranges = [ChannelRange(ch, label, *gained_by_day(cumulative, ch)) for ch, label in CHANNELS]
    return ctx.render(
        "engagement.html",
        title="Engagement",
        campaigns=campaigns,
        chosen=chosen,
        first=first,
        last=last,
        days=days,
        ranges=ranges,
        chart=_chart(days, ranges),
        problem=problem,
    )
