"""The numbers of a weekly report, as pure functions over already aggregated samples.

Post metrics are cumulative counts read now and then; the queries (``campaigns.reports.data``) give
the largest reading per post, metric and *bucket*: bucket 0 is everything before the previous week,
1-7 the previous week's local days, 8-14 this week's. Carried forward (a bucket without a reading
keeps the last one), the count at the end of each bucket is known, and a day's growth is the
difference of two. Counts only grow on the platforms except the odd unlike, so the largest reading
of a bucket is its last one.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from campaigns.metrics.names import ENGAGEMENT_PARTS, IMPRESSIONS

BUCKETS = 15
BEFORE, PREV_END, THIS_END = 0, 7, 14  # cumulative counts at the end of these buckets
ON_TIME_WITHIN = timedelta(minutes=5)  # published later than this after its time: "late"
MIN_POSTS_PER_HOUR = 2  # the best hour is suggested only from hours with this many posts

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Cumulative:
    """Per (channel, post, metric): the count at the end of each of the 15 buckets."""

    keys: list[tuple[str, str, str]]
    counts: IntArray  # shape (len(keys), buckets): BUCKETS for a week's report

    def of(self, metric: str, channel: str | None = None) -> IntArray:
        rows = [i for i, (ch, _, m) in enumerate(self.keys) if m == metric and channel in (None, ch)]
        return self.counts[rows] if rows else np.zeros((0, self.counts.shape[1]), dtype=np.int64)


def carry_forward(rows: Iterable[tuple[str, str, str, int, int]], buckets: int = BUCKETS) -> Cumulative:
    """(channel, post, metric, bucket, largest value) rows -> counts at each bucket's end."""
    index: dict[tuple[str, str, str], int] = {}
    cells: list[tuple[int, int, int]] = []
    for channel, subject, metric, bucket, value in rows:
        row = index.setdefault((channel, subject, metric), len(index))
        cells.append((row, bucket, value))
    counts = np.zeros((len(index), buckets), dtype=np.int64)
    if cells:
        at = np.array(cells, dtype=np.int64)
        counts[at[:, 0], at[:, 1]] = at[:, 2]
    return Cumulative(list(index), np.maximum.accumulate(counts, axis=1))


@dataclass(frozen=True, slots=True)
class PostTotals:
    """One post's impressions and engagements, gained this week and at the week's end."""

    channel: str
    post_id: str
    impressions: int
    engagements: int
    impressions_total: int
    engagements_total: int


def per_post(cumulative: Cumulative) -> list[PostTotals]:
    """Impressions and engagements per post: this week's growth, and the totals at its end."""
    sums: dict[tuple[str, str], list[int]] = {}
    for (channel, subject, metric), counts in zip(cumulative.keys, cumulative.counts, strict=True):
        slot = 0 if metric == IMPRESSIONS.get(channel) else 1 if metric in ENGAGEMENT_PARTS[channel] else -1
        if slot < 0:
            continue
        totals = sums.setdefault((channel, subject), [0, 0, 0, 0])
        totals[slot] += int(counts[THIS_END] - counts[PREV_END])
        totals[slot + 2] += int(counts[THIS_END])
    return [PostTotals(ch, post, *values) for (ch, post), values in sums.items()]


def engagements_by_day(cumulative: Cumulative, channel: str, *, previous: bool = False) -> list[int]:
    """Engagements gained on each local day of the week (Monday first), over the channel's posts."""
    first = 1 if previous else PREV_END + 1
    total = np.zeros(7, dtype=np.int64)
    for metric in ENGAGEMENT_PARTS[channel]:
        counts = cumulative.of(metric, channel)
        if len(counts):
            total += (counts[:, first : first + 7] - counts[:, first - 1 : first + 6]).sum(axis=0)
    return [int(v) for v in total]


def impressions_in(cumulative: Cumulative, channel: str, *, previous: bool = False) -> int:
    counts = cumulative.of(IMPRESSIONS[channel], channel)
    end, start = (PREV_END, BEFORE) if previous else (THIS_END, PREV_END)
    return int((counts[:, end] - counts[:, start]).sum()) if len(counts) else 0


def engagement_rate(engagements: int, impressions: int) -> float | None:
    """Engagements / impressions; None when nothing was seen (a rate of nothing is no rate)."""
    return engagements / impressions if impressions > 0 else None


@dataclass(frozen=True, slots=True)
class Delivery:
    on_time: int = 0
    late: int = 0
    missed: int = 0
    failed: int = 0


def delivery(
    posts: Iterable[tuple[str, datetime, datetime | None]], start: datetime, end: datetime
) -> Delivery:
    """(status, scheduled_at, published_at) of posts -> how those due in [start, end) went out."""
    on_time = late = missed = failed = 0
    for status, scheduled_at, published_at in posts:
        if not start <= scheduled_at < end:
            continue
        if status == "published" and published_at is not None:
            if published_at - scheduled_at <= ON_TIME_WITHIN:
                on_time += 1
            else:
                late += 1
        elif status == "missed":
            missed += 1
        elif status == "failed":
            failed += 1
    return Delivery(on_time, late, missed, failed)


@dataclass(frozen=True, slots=True)
class HourRate:
    hour: int  # local hour of day, 0-23
    posts: int
    median_rate: float


def rates_by_hour(posts: Iterable[tuple[int, int, int]]) -> list[HourRate]:
    """(local hour published, engagements, impressions) per post -> the median rate per hour."""
    by_hour: dict[int, list[float]] = {}
    for hour, engagements, impressions in posts:
        rate = engagement_rate(engagements, impressions)
        if rate is not None:
            by_hour.setdefault(hour, []).append(rate)
    return [HourRate(h, len(r), statistics.median(r)) for h, r in sorted(by_hour.items())]


def best_hour(rates: Sequence[HourRate], *, min_posts: int = MIN_POSTS_PER_HOUR) -> HourRate | None:
    """The hour with the highest median rate among hours with enough posts; None if no hour has."""
    eligible = [r for r in rates if r.posts >= min_posts]
    if len(eligible) < 2:  # a suggestion needs something to compare with
        return None
    return max(eligible, key=lambda r: (r.median_rate, r.posts, -r.hour))


def growth(
    readings: Iterable[tuple[datetime, int]], published_at: datetime, hours: int = 72
) -> list[tuple[float, int]]:
    """(observed_at, count) readings of one post -> (hours since publication, count), first ``hours`` only."""
    points = []
    for observed_at, value in sorted(readings):
        age = (observed_at - published_at).total_seconds() / 3600
        if 0 <= age <= hours:
            points.append((round(age, 2), value))
    return points


def hourly_series(counts: Iterable[tuple[datetime, int]], start: datetime, end: datetime) -> list[int]:
    """Per-hour counts (hour-start, count) -> a list with one entry per hour of [start, end)."""
    hours = int((end - start).total_seconds() // 3600)
    series = [0] * hours
    for at, value in counts:
        k = int((at - start).total_seconds() // 3600)
        if 0 <= k < hours:
            series[k] += value
    return series


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change from the previous week (0.25 = +25 %); None when there is nothing to compare."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def gained_by_day(cumulative: Cumulative, channel: str) -> tuple[list[int], list[int]]:
    """Impressions and engagements gained on each day of a range, over the channel's posts:
    ``cumulative`` has bucket 0 before the range and one bucket per day after it."""
    days = cumulative.counts.shape[1] - 1

    def gained(metric: str) -> IntArray:
        counts = cumulative.of(metric, channel)
        return (counts[:, 1:] - counts[:, :-1]).sum(axis=0) if len(counts) else np.zeros(days, dtype=np.int64)

    engagements = sum((gained(m) for m in ENGAGEMENT_PARTS[channel]), np.zeros(days, dtype=np.int64))
    return [int(v) for v in gained(IMPRESSIONS[channel])], [int(v) for v in engagements]
