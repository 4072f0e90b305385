"""One campaign's weekly report as data: every number a chart, table or export shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from campaigns.metrics.names import ENGAGEMENT_PARTS, HASHTAG_CHANNELS
from campaigns.reports import data, figures
from campaigns.reports.figures import Delivery, HourRate, PostTotals
from campaigns.reports.weeks import Week
from campaigns.store.models import Campaign

CHANNEL_ORDER = ("twitter", "facebook")
TOP_POSTS = 5
GROWTH_HOURS = 72


@dataclass(frozen=True, slots=True)
class ChannelFigures:
    channel: str
    impressions: int
    engagements: int
    prev_impressions: int
    prev_engagements: int
    daily: list[int]  # engagements gained per local day, Monday first

    @property
    def rate(self) -> float | None:
        return figures.engagement_rate(self.engagements, self.impressions)

    @property
    def prev_rate(self) -> float | None:
        return figures.engagement_rate(self.prev_engagements, self.prev_impressions)


@dataclass(frozen=True, slots=True)
class HashtagFigures:
    tag: str
    uses: int
    prev_uses: int
    peak_accounts: int  # the most distinct accounts in one hour: a lower bound on the week's
    prev_peak_accounts: int
    hourly: list[int]  # uses per hour of the week


@dataclass(frozen=True, slots=True)
class TopPost:
    id: str
    channel: str
    text: str
    url: str | None
    theme: str | None
    impressions: int
    engagements: int

    @property
    def rate(self) -> float | None:
        return figures.engagement_rate(self.engagements, self.impressions)


@dataclass(frozen=True, slots=True)
class Growth:
    post_id: str
    label: str
    points: list[tuple[float, int]]  # (hours since publication, engagements)


@dataclass(frozen=True, slots=True)
class ThemeFigures:
    label: str
    posts: int
    impressions: int
    engagements: int


@dataclass(frozen=True)
class WeekReport:
    slug: str
    name: str
    timezone: str
    week: Week
    start: datetime
    end: datetime
    generated_at: datetime
    delivery: Delivery
    prev_delivery: Delivery
    channels: list[ChannelFigures] = field(default_factory=list)
    hashtags: list[HashtagFigures] = field(default_factory=list)
    hashtag_channels: tuple[str, ...] = HASHTAG_CHANNELS
    top_posts: list[TopPost] = field(default_factory=list)
    growth: list[Growth] = field(default_factory=list)
    themes: list[ThemeFigures] = field(default_factory=list)
    hours: list[HourRate] = field(default_factory=list)
    best_hour: HourRate | None = None
    gaps: list[str] = field(default_factory=list)
    has_metrics: bool = False

    @property
    def days(self) -> list[date]:
        return self.week.days

    @property
    def has_data(self) -> bool:
        d = self.delivery
        return self.has_metrics or d.on_time + d.late + d.missed + d.failed > 0


def build_week_report(session: Session, campaign: Campaign, week: Week, now: datetime) -> WeekReport:
    """Every figure of ``campaign``'s report for ``week`` (and the week before, to compare)."""
    tz = campaign.timezone
    start, end = week.bounds(tz)
    prev_start = week.shifted(-1).bounds(tz)[0]
    bounds = week.shifted(-1).day_bounds(tz) + week.day_bounds(tz)[1:]
    cumulative = data.post_cumulative(session, campaign.slug, bounds)
    posts = data.campaign_posts(session, campaign.slug, end)
    by_id = {p.id: p for p in posts}
    fates = [(p.status, p.scheduled_at, p.published_at) for p in posts]
    totals = [t for t in figures.per_post(cumulative) if t.post_id in by_id]
    channels = _channels(cumulative, posts)
    top = _top_posts(totals, by_id)
    return WeekReport(
        slug=campaign.slug,
        name=campaign.name,
        timezone=tz,
        week=week,
        start=start,
        end=end,
        generated_at=now,
        delivery=figures.delivery(fates, start, end),
        prev_delivery=figures.delivery(fates, prev_start, start),
        channels=channels,
        hashtags=_hashtags(session, campaign.slug, prev_start, start, end),
        top_posts=top,
        growth=_growth(session, campaign.slug, top, by_id, start, end),
        themes=_themes(totals, by_id, start, end),
        hours=(hours := _hours(totals, by_id, tz)),
        best_hour=figures.best_hour(hours),
        gaps=[
            f"{g.channel} {g.subject_type} {g.subject}: {g.metric or 'all metrics'} not read from "
            f"{_local(g.window_start, tz)} to {_local(g.window_end, tz)}: {g.reason}"
            for g in data.gaps_in(session, campaign.slug, start, end)[:10]
        ],
        has_metrics=data.has_samples(session, campaign.slug, start, end),
    )


def _local(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


def _channels(cumulative: figures.Cumulative, posts: Sequence[data.PostRow]) -> list[ChannelFigures]:
    present = {p.channel for p in posts} | {ch for ch, _, _ in cumulative.keys}
    result = []
    for channel in (c for c in CHANNEL_ORDER if c in present):
        daily = figures.engagements_by_day(cumulative, channel)
        result.append(
            ChannelFigures(
                channel=channel,
                impressions=figures.impressions_in(cumulative, channel),
                engagements=sum(daily),
                prev_impressions=figures.impressions_in(cumulative, channel, previous=True),
                prev_engagements=sum(figures.engagements_by_day(cumulative, channel, previous=True)),
                daily=daily,
            )
        )
    return result


def _hashtags(
    session: Session, slug: str, prev_start: datetime, start: datetime, end: datetime
) -> list[HashtagFigures]:
    rows = data.hashtag_counts(session, slug, prev_start, end)
    result = []
    for tag in sorted({tag for tag, _, _, _ in rows}):
        uses = [(at, v) for t, m, at, v in rows if t == tag and m == "uses"]
        accounts = [(at, v) for t, m, at, v in rows if t == tag and m == "accounts"]
        result.append(
            HashtagFigures(
                tag=tag,
                uses=sum(v for at, v in uses if at >= start),
                prev_uses=sum(v for at, v in uses if at < start),
                peak_accounts=max((v for at, v in accounts if at >= start), default=0),
                prev_peak_accounts=max((v for at, v in accounts if at < start), default=0),
                hourly=figures.hourly_series(uses, start, end),
            )
        )
    return result


def _top_posts(totals: Sequence[PostTotals], by_id: dict[str, data.PostRow]) -> list[TopPost]:
    ranked = sorted(
        (t for t in totals if t.engagements > 0 or t.impressions > 0),
        key=lambda t: (-t.engagements, -t.impressions, t.post_id),
    )
    return [
        TopPost(
            id=t.post_id,
            channel=t.channel,
            text=by_id[t.post_id].text,
            url=by_id[t.post_id].url,
            theme=by_id[t.post_id].theme,
            impressions=t.impressions,
            engagements=t.engagements,
        )
        for t in ranked[:TOP_POSTS]
    ]


def _growth(
    session: Session,
    slug: str,
    top: Sequence[TopPost],
    by_id: dict[str, data.PostRow],
    start: datetime,
    end: datetime,
) -> list[Growth]:
    """Engagements over the first 72 hours of the top posts published this week."""
    fresh = [p for p in top if (at := by_id[p.id].published_at) is not None and start <= at < end]
    readings = data.post_readings(
        session, slug, [p.id for p in fresh], start, end + timedelta(hours=GROWTH_HOURS)
    )
    curves = []
    for post in fresh:
        published_at = by_id[post.id].published_at
        assert published_at is not None
        parts = ENGAGEMENT_PARTS[post.channel]
        per_reading: dict[datetime, int] = {}
        for subject, metric, at, value in readings:
            if subject == post.id and metric in parts:
                per_reading[at] = per_reading.get(at, 0) + value
        label = f"{post.channel}: {_short(post.text, 40)}"
        curves.append(Growth(post.id, label, figures.growth(per_reading.items(), published_at, GROWTH_HOURS)))
    return [c for c in curves if c.points]


def _themes(
    totals: Sequence[PostTotals], by_id: dict[str, data.PostRow], start: datetime, end: datetime
) -> list[ThemeFigures]:
    """This week's posts grouped by theme (or campaign day), in the order of their first post."""
    groups: dict[str, list[PostTotals]] = {}
    order: dict[str, datetime] = {}
    for t in totals:
        post = by_id[t.post_id]
        if not start <= post.scheduled_at < end:
            continue
        label = post.theme or f"Day {post.day}"
        groups.setdefault(label, []).append(t)
        order[label] = min(order.get(label, post.scheduled_at), post.scheduled_at)
    return [
        ThemeFigures(label, len(g), sum(t.impressions for t in g), sum(t.engagements for t in g))
        for label, g in sorted(groups.items(), key=lambda item: order[item[0]])
    ]


def _hours(totals: Sequence[PostTotals], by_id: dict[str, data.PostRow], tz: str) -> list[HourRate]:
    """The campaign's whole history up to the week's end: rate per post by local hour published."""
    zone = ZoneInfo(tz)
    rows = []
    for t in totals:
        published_at = by_id[t.post_id].published_at
        if published_at is not None:
            rows.append((published_at.astimezone(zone).hour, t.engagements_total, t.impressions_total))
    return figures.rates_by_hour(rows)


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
