"""One post's engagement so far, for its page in the dashboard: the latest figures and a chart of
impressions and engagements since it went out.

``series`` is pure (samples in, points out); ``growth_chart`` draws it with the report's matplotlib
style (matplotlib is imported only when there is something to draw) as a PNG ``data:`` URI, which
the dashboard's Content-Security-Policy allows where it forbids inline styles (an inline SVG's).
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from campaigns.metrics import names


@dataclass(frozen=True, slots=True)
class Point:
    at: datetime
    impressions: int
    engagements: int


@dataclass(frozen=True, slots=True)
class PostEngagement:
    latest: dict[str, int]  # metric -> its latest value (cumulative, as the platform reports it)
    points: list[Point]  # one per reading, oldest first

    @property
    def impressions(self) -> int:
        return self.points[-1].impressions if self.points else 0

    @property
    def engagements(self) -> int:
        return self.points[-1].engagements if self.points else 0

    @property
    def rate(self) -> float | None:
        """Engagements / impressions (None without impressions): the report's definition."""
        return self.engagements / self.impressions if self.impressions else None


def series(channel: str, samples: Iterable[tuple[str, int, datetime]]) -> PostEngagement:
    """``samples``: (metric, value, observed_at) of one post. A reading's figures carry forward the
    latest value of any metric it did not read (values are cumulative, never summed twice)."""
    readings: dict[datetime, dict[str, int]] = defaultdict(dict)
    for metric, value, at in samples:
        readings[at][metric] = value
    parts, seen = names.ENGAGEMENT_PARTS.get(channel, ()), names.IMPRESSIONS.get(channel, "impressions")
    latest: dict[str, int] = {}
    points = []
    for at in sorted(readings):
        latest.update(readings[at])
        points.append(Point(at, latest.get(seen, 0), sum(latest.get(p, 0) for p in parts)))
    return PostEngagement(dict(latest), points)


def growth_chart(engagement: PostEngagement, published_at: datetime) -> str | None:
    """Impressions and engagements against hours since publication; None with fewer than two readings."""
    if len(engagement.points) < 2:
        return None
    from campaigns.reports.charts import COLOURS, figure_of, png_of

    figure, ax = figure_of(height=2.2)
    hours = [(p.at - published_at).total_seconds() / 3600 for p in engagement.points]
    ax.plot(hours, [p.impressions for p in engagement.points], color=COLOURS["twitter"], label="impressions")
    twin = ax.twinx()
    twin.plot(
        hours, [p.engagements for p in engagement.points], color=COLOURS["facebook"], label="engagements"
    )
    ax.set_xlabel("hours since it went out")
    ax.set_ylabel("impressions")
    twin.set_ylabel("engagements")
    ax.legend(loc="upper left", frameon=False)
    twin.legend(loc="lower right", frameon=False)
    return "data:image/png;base64," + base64.b64encode(png_of(figure)).decode("ascii")
