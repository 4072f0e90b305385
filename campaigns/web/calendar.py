"""``/calendar``: month and week views of the posts of every campaign, in the viewer's time zone.

The grid maths are pure (dates in, dates out); the page reads only the columns it shows, with one
query over the visible range.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape
from sqlalchemy import select
from starlette.responses import Response

from campaigns.store.hot_path import table_of
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.web.framework import Ctx, page

POSTS = table_of(Post)
CAMPAIGNS = table_of(Campaign)
VIEWS = ("month", "week")
TZ_COOKIE = "tz"  # set by static/tz.js from the browser's own zone


@dataclass(frozen=True, slots=True)
class Span:
    first: date  # the first day shown
    end: date  # the day after the last one shown
    previous: date  # an anchor in the span before
    following: date  # an anchor in the span after
    label: str


def span_of(view: str, anchor: date) -> Span:
    """The days a view shows around ``anchor``: whole weeks, Monday first."""
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        end = first + timedelta(days=7)
        label = f"Week of {first:%-d %B %Y}"
        return Span(first, end, first - timedelta(days=7), end, label)
    month_start = anchor.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    first = month_start - timedelta(days=month_start.weekday())
    last = next_month - timedelta(days=1)
    end = last + timedelta(days=7 - last.weekday())
    previous = (month_start - timedelta(days=1)).replace(day=1)
    return Span(first, end, previous, next_month, f"{month_start:%B %Y}")


def zone_named(name: str | None) -> ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


CHANNEL_NAMES = {"twitter": "X", "facebook": "Facebook"}


@dataclass(slots=True)
class Day:
    on: date
    in_focus: bool  # inside the month (always, in a week view)
    items: list[Markup] = field(default_factory=list)  # each post, rendered: see ``item_html``


SAFE_ID = re.compile(r"[A-Za-z0-9._:-]+")


@functools.lru_cache(maxsize=4096)
def _text(value: str) -> str:
    """Escaped once per distinct value: names, statuses and times repeat across a month."""
    return str(escape(value))


def post_href(post_id: str) -> str:
    """``/posts/<id>``; the usual ids need only their colons escaped (faster than ``quote``)."""
    quoted = post_id.replace(":", "%3A") if SAFE_ID.fullmatch(post_id) else quote(post_id, safe="")
    return f"/posts/{quoted}"


def item_html(
    post_id: str, campaign: str, channel: str, status: str, viewer_time: str, own_time: str
) -> Markup:
    """One post in a day, as a list item. Rendered here rather than in the template: a month can
    hold thousands of posts, and one f-string costs a fraction of Jinja's per-field work."""
    href = post_href(post_id)
    state = _text(status)
    return Markup(
        f'<li class="post s-{state}"><a href="{href}">'
        f'<span class="t">{_text(viewer_time)}</span> <span class="own">({_text(own_time)})</span> '
        f'<span class="c">{_text(campaign)}</span> · {_text(CHANNEL_NAMES.get(channel, channel))} '
        f'<span class="badge s-{state}">{state}</span></a></li>'
    )


Row = tuple[str, str, str, str, datetime, str]  # id, campaign name, channel, status, at, campaign tz


def build_days(rows: list[Row], *, span: Span, month: int | None, viewer: ZoneInfo) -> list[list[Day]]:
    """Weeks of days for ``span``, each post in its day in the viewer's zone, with both times."""
    days = {
        span.first + timedelta(days=n): Day(span.first + timedelta(days=n), True)
        for n in range((span.end - span.first).days)
    }
    if month is not None:
        for shown in days.values():
            shown.in_focus = shown.on.month == month
    zones: dict[str, ZoneInfo] = {}
    for post_id, name, channel, status, at, tz in rows:
        local = at.astimezone(viewer)
        day = days.get(local.date())
        if day is None:
            continue
        zone = zones.get(tz) or zones.setdefault(tz, ZoneInfo(tz))
        own = at.astimezone(zone)
        viewer_time = f"{local.hour:02d}:{local.minute:02d}"
        own_time = f"{own.hour:02d}:{own.minute:02d} {own.tzname()}"
        day.items.append(item_html(post_id, name, channel, status, viewer_time, own_time))
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


def _anchor(value: str | None, today: date) -> date:
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


@page("viewer")
def calendar(ctx: Ctx) -> Response:
    params = ctx.request.query_params
    view = params.get("view") or "month"
    view = view if view in VIEWS else "month"
    viewer = (
        zone_named(params.get("tz"))
        or zone_named(unquote(ctx.request.cookies.get(TZ_COOKIE, "")))
        or ZoneInfo("UTC")
    )
    today = ctx.now.astimezone(viewer).date()
    anchor = _anchor(params.get("date"), today)
    span = span_of(view, anchor)
    campaign = params.get("campaign") or None
    start = datetime.combine(span.first, time(), viewer).astimezone(UTC)
    end = datetime.combine(span.end, time(), viewer).astimezone(UTC)
    stmt = (
        select(
            POSTS.c.id,
            CAMPAIGNS.c.name,
            POSTS.c.channel,
            POSTS.c.status,
            POSTS.c.scheduled_at,
            CAMPAIGNS.c.timezone,
        )
        .join(CAMPAIGNS, CAMPAIGNS.c.slug == POSTS.c.campaign_slug)
        .where(POSTS.c.scheduled_at >= start, POSTS.c.scheduled_at < end)
        .where(POSTS.c.status != PostStatus.CANCELLED.value)
        .order_by(POSTS.c.scheduled_at, POSTS.c.id)
    )
    if campaign:
        stmt = stmt.where(POSTS.c.campaign_slug == campaign)
    rows = [tuple(r) for r in ctx.db.connection().execute(stmt)]
    month = anchor.month if view == "month" else None
    weeks = build_days(rows, span=span, month=month, viewer=viewer)
    campaigns = (
        ctx.db.connection()
        .execute(
            select(CAMPAIGNS.c.slug, CAMPAIGNS.c.name)
            .where(CAMPAIGNS.c.removed_at.is_(None))
            .order_by(CAMPAIGNS.c.slug)
        )
        .all()
    )
    return ctx.render(
        "calendar.html",
        title=span.label,
        view=view,
        span=span,
        weeks=weeks,
        viewer=viewer.key,
        campaign=campaign,
        campaigns=campaigns,
        count=len(rows),
        today=today,
        anchor=anchor,
        statuses=[s.value for s in PostStatus if s != PostStatus.CANCELLED],
    )
