"""The unit everything downstream works on: one post, on one channel, at one instant."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

CHANNELS = ("twitter", "facebook")
DEFAULT_ACCOUNT = "default"  # each platform's account from the environment (campaigns.settings)


@dataclass(frozen=True, slots=True)
class Media:
    path: Path  # absolute, inside the specs folder
    alt: str


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """A post expanded from a spec: placeholders rendered, time resolved to UTC.

    ``post_id`` is stable across edits of the spec (the explicit ``id``, or campaign/day/local
    time/channel with a suffix only when posts share a time: see ``campaigns.spec.expand``), so that
    a changed spec can be reconciled with what is already scheduled or published.
    """

    campaign: str  # display name, e.g. "Social Service Workforce Week"
    campaign_slug: str  # the spec file's stem, e.g. "ssw-week"
    source: str  # the spec file, as given
    post_id: str
    day: int  # 1-based
    date: date  # local date
    channel: str  # one of CHANNELS
    scheduled_at: datetime  # aware, UTC
    local_time: datetime  # aware, in the campaign's timezone
    timezone: str
    text: str  # rendered; for a thread, its first part
    thread: tuple[str, ...] = ()  # every rendered part of a thread (first included); empty otherwise
    media: tuple[Media, ...] = ()
    link: str | None = None
    theme: str | None = None
    account: str = DEFAULT_ACCOUNT  # which configured account of `channel` publishes it
    late_window: timedelta = field(default=timedelta(hours=6))
    paused: bool = False
    id_given: bool = False  # the spec named it (``id:``): matched by that id before anything else

    @property
    def parts(self) -> tuple[str, ...]:
        """What is sent, in order: the thread's parts, or the single text."""
        return self.thread or (self.text,)
