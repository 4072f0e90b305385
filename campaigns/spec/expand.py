"""Expanding a campaign spec into dated, rendered posts (pure: no clock, no I/O).

Rendering (channels, placeholders) is in :mod:`campaigns.spec.render`; this adds each post's time,
id and media. ``render``, ``PlaceholderError`` and ``post_channels`` are re-exported from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date

from campaigns import timing
from campaigns.planned import Media, PlannedPost
from campaigns.spec.campaign import CampaignSpec
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
    for item in render_run(spec, first_day):
        if item.error is not None:
            raise item.error
        yield from _expand_post(spec, item, year_in_ids)


def expand_item(
    spec: CampaignSpec, day_index: int, position: int, first_day: date, *, year_in_ids: bool
) -> Iterator[SourcedPost]:
    """The posts (one per channel) of one item of one day. Raises PlaceholderError."""
    yield from _expand_post(spec, render_item(spec, day_index, position, first_day), year_in_ids)


def _expand_post(spec: CampaignSpec, item: RenderedItem, year_in_ids: bool) -> Iterator[SourcedPost]:
    doc, post, on, day = spec.doc, item.post, item.on, item.day
    local, warning = timing.resolve_local(on, timing.parse_time(post.time or day.time or doc.time), spec.tz)
    scheduled_at = local.astimezone(UTC)
    media: tuple[Media, ...] = ()
    if post.image is not None:
        media = (Media(path=(spec.base_dir / post.image).resolve(), alt=post.alt or ""),)
    base = post.id or f"d{item.day_number}p{item.position + 1}"
    prefix = f"{spec.slug}:{on.year}" if year_in_ids else spec.slug
    late_window = timing.parse_duration(post.late_window) if post.late_window else spec.late_window
    for channel, parts, text_path, is_thread in item.texts:
        planned = PlannedPost(
            campaign=doc.campaign,
            campaign_slug=spec.slug,
            source=spec.source,
            post_id=f"{prefix}:{base}:{channel}",
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
        )
        yield SourcedPost(planned, item.item_path, text_path, warning)
