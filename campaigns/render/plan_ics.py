"""The plan as an iCalendar file that comms staff can import into their calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from campaigns.planned import PlannedPost

CHANNEL_NAMES = {"twitter": "X", "facebook": "Facebook"}


def render_ics(posts: Sequence[PlannedPost], *, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Campaign scheduler//campaigns plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Social media campaigns")
    for post in posts:
        calendar.add_component(_event(post, now))
    return bytes(calendar.to_ical())


def _event(post: PlannedPost, now: datetime) -> Event:
    event = Event()
    channel = CHANNEL_NAMES.get(post.channel, post.channel)
    event.add("uid", f"{post.post_id}@campaign-scheduler")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", post.scheduled_at.astimezone(UTC))
    event.add("duration", timedelta(minutes=15))
    event.add("summary", f"{channel}: {post.campaign} (day {post.day})")
    event.add("description", _description(post))
    event.add("categories", [post.campaign, channel])
    if post.link:
        event.add("url", post.link)
    return event


def _description(post: PlannedPost) -> str:
    lines = [f"{i}/{len(post.thread)}: {part}" for i, part in enumerate(post.thread, 1)] or [post.text]
    if post.theme:
        lines.insert(0, f"Theme: {post.theme}")
    lines += [f"Image: {m.path.name} (alt: {m.alt})" for m in post.media]
    lines.append(f"Local time: {post.local_time:%Y-%m-%d %H:%M} {post.timezone}")
    return "\n".join(lines)
