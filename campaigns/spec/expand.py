"""Expanding a campaign spec into dated, rendered posts (pure: no clock, no I/O).

Rendering (channels, placeholders) is in :mod:`campaigns.spec.render`; this adds each post's time,
id and media. ``render``, ``PlaceholderError`` and ``post_channels`` are re-exported from here.

A post's id is ``<campaign>[:<year>]:<slot>:<channel>``. The slot is the post's ``id:`` when the
spec gives one; otherwise ``d<day>-<HHMM>``, the day number and the local time the spec gives it
(not its position, not its text), so that inserting, deleting or reordering posts leaves the
other posts' ids alone. Posts of one day and channel that share a time get ``-2``, ``-3``... in
file order after the first (posts with an ``id:`` do not count).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date

from campaigns import timing
from campaigns.planned import Media, PlannedPost
from campaigns.spec.campaign import CampaignSpec
from campaigns.spec.model import PostSpec
from campaigns.spec.render import (
    PLACEHOLDERS,
    PlaceholderError,
    RenderedItem,
    YamlPath,
    post_channels,
    render,
    render_item,
    render_run,
)

__all__ = [
    "PLACEHOLDERS",
    "PlaceholderError",
    "SourcedPost",
    "YamlPath",
    "expand_item",
    "expand_occurrence",
    "post_channels",
    "render",
]


@dataclass(frozen=True, slots=True)
class SourcedPost:
    """A planned post and where it came from in the YAML, for pointing at problems."""

    post: PlannedPost
    yaml_path: YamlPath  # the post item
    text_path: YamlPath  # the text field the channel's text came from
    dst_warning: str | None


def expand_occurrence(spec: CampaignSpec, first_day: date, *, year_in_ids: bool) -> Iterator[SourcedPost]:
    """Every post of one run of the campaign starting on ``first_day``.

    Raises PlaceholderError / ValueError on specs that have not been validated.
    """
    slots: dict[int, list[dict[str, str]]] = {}
    for item in render_run(spec, first_day):
        if item.error is not None:
            raise item.error
        day_slots = slots.get(item.day_number)
        if day_slots is None:
            day_slots = slots[item.day_number] = day_slot_ids(spec, item.day_number - 1)
        yield from _expand_post(spec, item, year_in_ids, day_slots[item.position])


def expand_item(
    spec: CampaignSpec, day_index: int, position: int, first_day: date, *, year_in_ids: bool
) -> Iterator[SourcedPost]:
    """The posts (one per channel) of one item of one day. Raises PlaceholderError."""
    item = render_item(spec, day_index, position, first_day)
    yield from _expand_post(spec, item, year_in_ids, day_slot_ids(spec, day_index)[position])


def day_slot_ids(spec: CampaignSpec, day_index: int) -> list[dict[str, str]]:
    """For each item of day ``day_index`` (0-based), channel -> the id's slot (see the module docstring)."""
    doc, day = spec.doc, spec.days[day_index]
    seen: dict[tuple[str, str], int] = {}
    found: list[dict[str, str]] = []
    for item in day.posts:
        post = PostSpec.model_construct(text=item) if isinstance(item, str) else item  # as render does
        channels = post_channels(post, doc.channels)
        if post.id:
            found.append(dict.fromkeys(channels, post.id))
            continue
        at = timing.parse_time(post.time or day.time or doc.time)
        base = f"d{day_index + 1}-{at.hour:02d}{at.minute:02d}"
        ids: dict[str, str] = {}
        for channel in channels:
            n = seen[(base, channel)] = seen.get((base, channel), 0) + 1
            ids[channel] = base if n == 1 else f"{base}-{n}"
        found.append(ids)
    return found


def _expand_post(
    spec: CampaignSpec, item: RenderedItem, year_in_ids: bool, slots: dict[str, str]
) -> Iterator[SourcedPost]:
    doc, post, on, day = spec.doc, item.post, item.on, item.day
    local, warning = timing.resolve_local(on, timing.parse_time(post.time or day.time or doc.time), spec.tz)
    scheduled_at = local.astimezone(UTC)
    media: tuple[Media, ...] = ()
    if post.image is not None:
        media = (Media(path=(spec.base_dir / post.image).resolve(), alt=post.alt or ""),)
    prefix = f"{spec.slug}:{on.year}" if year_in_ids else spec.slug
    late_window = timing.parse_duration(post.late_window) if post.late_window else spec.late_window
    for channel, parts, text_path, is_thread in item.texts:
        planned = PlannedPost(
            campaign=doc.campaign,
            campaign_slug=spec.slug,
            source=spec.source,
            post_id=f"{prefix}:{slots[channel]}:{channel}",
            day=item.day_number,
            date=on,
            channel=channel,
            account=spec.account(channel),
            scheduled_at=scheduled_at,
            local_time=local,
            timezone=doc.timezone,
            text=parts[0],
            thread=parts if is_thread else (),
            media=media,
            link=item.link,
            theme=day.theme,
            late_window=late_window,
            paused=doc.paused,
            id_given=post.id is not None,
        )
        yield SourcedPost(planned, item.item_path, text_path, warning)
