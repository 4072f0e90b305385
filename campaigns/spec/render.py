"""Rendering a campaign's items: which channels each goes to and the text each channel sends.

Validation needs only this (``checks.check_posts``); the plan adds times, ids and media on top
(``expand``). Both go through :func:`render_run` or :func:`render_item`, so that what is checked is
what is sent. Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from campaigns.planned import CHANNELS
from campaigns.spec.campaign import CampaignSpec
from campaigns.spec.model import DaySpec, PostSpec

PLACEHOLDERS = ("link", "theme", "day", "date", "year", "campaign")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

YamlPath = tuple[str | int, ...]


class PlaceholderError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def render(template: str, values: dict[str, str | None]) -> str:
    """Fill ``{name}`` placeholders; ``{{`` and ``}}`` are literal braces.

    Raises PlaceholderError for an unknown placeholder, or ``{link}`` with no link set.
    """
    if "{" not in template and "}" not in template:
        return template

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1).strip()
        if name not in values:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise PlaceholderError(name, f"unknown placeholder {{{name}}}: use one of {known}")
        value = values[name]
        if value is None:
            raise PlaceholderError(
                name, f"{{{name}}} is used but no {name} is set for this post, day or campaign"
            )
        return value

    return _PLACEHOLDER.sub(substitute, template)


# What one channel sends for one item: (channel, rendered parts, where the text is in the YAML,
# is it a thread). A plain tuple: validation makes one per post and channel, and building a
# NamedTuple or a dataclass costs several times more.
ChannelText = tuple[str, tuple[str, ...], YamlPath, bool]


class RenderedItem(NamedTuple):
    """One item of one day with its texts rendered for each of its channels (no time, no ids yet)."""

    post: PostSpec
    day: DaySpec
    on: date
    day_number: int
    position: int
    item_path: YamlPath
    link: str | None
    texts: tuple[ChannelText, ...]  # empty when ``error`` is set
    error: PlaceholderError | None = None  # a placeholder that cannot be filled: nothing is sent


def post_channels(post: PostSpec, defaults: Sequence[str]) -> list[str]:
    """The channels a post goes to: its own list, else the defaults that it has a text for."""
    if post.channels is not None:
        return list(post.channels)
    if post.text is not None:  # the commonest post: a text for every channel
        return [c for c in defaults if c in CHANNELS]
    twitter = post.twitter is not None or bool(post.thread)
    facebook = post.facebook is not None
    return [c for c in defaults if (c == "twitter" and twitter) or (c == "facebook" and facebook)]


def render_run(spec: CampaignSpec, first_day: date) -> Iterator[RenderedItem]:
    """Every item of the run of ``spec`` that starts on ``first_day``, in order."""
    for day_index in range(len(spec.days)):
        day = _Day(spec, day_index, first_day)
        for position, item in enumerate(day.spec_day.posts):
            yield day.render(position, item)


def render_item(spec: CampaignSpec, day_index: int, position: int, first_day: date) -> RenderedItem:
    """One item of one day, rendered for each channel it goes to. Raises PlaceholderError."""
    day = _Day(spec, day_index, first_day)
    rendered = day.render(position, day.spec_day.posts[position])
    if rendered.error is not None:
        raise rendered.error
    return rendered


class _Day:
    """What the items of one day share, worked out once per day rather than once per item."""

    __slots__ = (
        "base_values",
        "defaults",
        "link",
        "number",
        "on",
        "path",
        "spec",
        "spec_day",
        "usable_defaults",
    )

    def __init__(self, spec: CampaignSpec, index: int, first_day: date) -> None:
        self.spec = spec
        self.spec_day = spec.days[index]
        self.number = index + 1
        self.on = first_day + timedelta(days=index)
        self.path: YamlPath = (*spec.days_path, index) if spec.days_path else ()
        self.link = self.spec_day.link or spec.doc.link
        self.defaults = spec.doc.channels
        self.usable_defaults = [channel for channel in self.defaults if channel in CHANNELS]
        self.base_values: dict[str, str | None] | None = None

    def render(self, position: int, item: str | PostSpec) -> RenderedItem:
        plain = isinstance(item, str)
        # A plain-text item is a post with only a text, validated already: no need to validate again.
        post = PostSpec.model_construct(text=item) if isinstance(item, str) else item
        item_path: YamlPath = (*self.path, "posts", position)
        link = post.link or self.link
        try:
            texts = self.texts(post, item_path, plain, link)
        except PlaceholderError as exc:
            return _new_item((post, self.spec_day, self.on, self.number, position, item_path, link, (), exc))
        return _new_item((post, self.spec_day, self.on, self.number, position, item_path, link, texts, None))

    def texts(
        self, post: PostSpec, item_path: YamlPath, plain: bool, link: str | None
    ) -> tuple[ChannelText, ...]:
        """What each channel the post goes to sends. Raises PlaceholderError."""
        if post.text is not None and post.channels is None and _no_channel_texts(post):
            # The commonest post: one text, sent as it is to every default channel, filled once.
            if not self.usable_defaults:
                return ()
            text = post.text
            done = (text.strip(),) if "{" not in text and "}" not in text else self.fill((text,), link)
            text_path = item_path if plain else (*item_path, "text")
            return tuple([(channel, done, text_path, False) for channel in self.usable_defaults])
        texts: list[ChannelText] = []
        last_parts: tuple[str, ...] = ()
        done = ()
        for channel, parts, field_name in _channel_texts(post, self.defaults):
            if parts != last_parts or not texts:  # a text shared by both channels renders once
                last_parts, done = parts, self.fill(parts, link)
            text_path = item_path if plain else (*item_path, field_name)
            texts.append((channel, done, text_path, field_name == "thread"))
        return tuple(texts)

    def fill(self, parts: tuple[str, ...], link: str | None) -> tuple[str, ...]:
        """The parts as sent: placeholders filled, surrounding space removed."""
        if len(parts) == 1 and "{" not in parts[0] and "}" not in parts[0]:  # the commonest case, quickly
            return (parts[0].strip(),)
        if not any("{" in part or "}" in part for part in parts):
            return tuple([part.strip() for part in parts])
        if self.base_values is None:
            self.base_values = {
                "link": self.link,
                "theme": self.spec_day.theme,
                "day": str(self.number),
                "date": _date_words(self.on),
                "year": str(self.on.year),
                "campaign": self.spec.doc.campaign,
            }
        values = self.base_values if link == self.link else {**self.base_values, "link": link}
        return tuple([render(part, values).strip() for part in parts])


def _channel_texts(post: PostSpec, defaults: Sequence[str]) -> list[tuple[str, tuple[str, ...], str]]:
    """(channel, parts, field) for each channel the post goes to."""
    texts = []
    for channel in post_channels(post, defaults):
        if channel == "twitter" and post.thread:
            texts.append((channel, tuple(post.thread), "thread"))
        elif channel == "twitter" and post.twitter is not None:
            texts.append((channel, (post.twitter,), "twitter"))
        elif channel == "facebook" and post.facebook is not None:
            texts.append((channel, (post.facebook,), "facebook"))
        elif post.text is not None:
            texts.append((channel, (post.text,), "text"))
    return texts


def _no_channel_texts(post: PostSpec) -> bool:
    return post.twitter is None and post.facebook is None and not post.thread


def _new_item(fields: tuple[Any, ...]) -> RenderedItem:
    # tuple.__new__ skips the NamedTuple's Python-level __new__, a good part of an item's cost.
    return tuple.__new__(RenderedItem, fields)


@lru_cache(maxsize=4096)  # strftime is slow, and a campaign's days come back in every check
def _date_words(on: date) -> str:
    return f"{on.day} {on:%B %Y}"
