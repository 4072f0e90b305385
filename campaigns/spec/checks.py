"""Rules a spec must follow beyond its shape: time, links, media, placeholders, lengths, duplicates.

Each check yields findings ``(yaml path, severity, message, at_key)``; the loader turns them
into ``file:line:col`` problems.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from campaigns import text, timing
from campaigns.planned import CHANNELS
from campaigns.problems import Severity
from campaigns.spec import characters
from campaigns.spec.campaign import CampaignSpec
from campaigns.spec.media import ALT_TEXT_MAX, image_problems
from campaigns.spec.model import CampaignDoc, PostSpec
from campaigns.spec.render import ChannelText, RenderedItem, YamlPath, post_channels, render_run


@dataclass(frozen=True, slots=True)
class Finding:
    path: YamlPath
    severity: Severity
    message: str
    at_key: bool = False
    position: tuple[int, int] | None = None  # known already (e.g. from the YAML reader)


def error(path: YamlPath, message: str, *, at_key: bool = False) -> Finding:
    return Finding(path, "error", message, at_key)


def warning(path: YamlPath, message: str) -> Finding:
    return Finding(path, "warning", message)


# More days than this is a mistake (a generated file, a runaway paste): a campaign is weeks long.
MAX_DAYS = 366


def check_document(doc: CampaignDoc) -> list[Finding]:
    """Checks that need only the document; if any is an error, the campaign cannot be expanded."""
    return [*_check_when(doc), *_check_length(doc), *_check_shape(doc), *_check_hashtags(doc)]


def _check_length(doc: CampaignDoc) -> Iterator[Finding]:
    if doc.days is not None and len(doc.days) > MAX_DAYS:
        message = f"the campaign has {len(doc.days):,} days; a campaign may have at most {MAX_DAYS}"
        yield error(("days",), message, at_key=True)


def _check_hashtags(doc: CampaignDoc) -> Iterator[Finding]:
    for index, tag in enumerate(doc.hashtags):
        if not tag.isascii() and (message := characters.lookalike_in_hashtag(tag)) is not None:
            yield warning(("hashtags", index), message)


def _check_when(doc: CampaignDoc) -> Iterator[Finding]:
    if doc.start is None and doc.every_year is None:
        yield error((), "missing required key 'start' (a date) or 'every_year' (a yearly rule)")
    elif doc.start is not None and doc.every_year is not None:
        yield error(("every_year",), "give either 'start' or 'every_year', not both", at_key=True)


def _check_shape(doc: CampaignDoc) -> Iterator[Finding]:
    if doc.days is None and doc.posts is None:
        yield error((), "missing required key 'days' (or 'posts' for a one-day campaign)")
    elif doc.days is not None and doc.posts is not None:
        yield error(("posts",), "give either 'days' or 'posts', not both", at_key=True)
    # A post with a text and nothing that could contradict it cannot have a problem here: with
    # thousands of posts, telling those apart quickly is most of this check's time.
    defaults_usable = any(channel in CHANNELS for channel in doc.channels)
    ids: set[str] = set()
    repeated_ids: list[Finding] = []  # reported after the posts' own problems
    for path, item in _post_items(doc):  # one pass over the posts for both checks
        if isinstance(item, PostSpec):
            if not (defaults_usable and _only_text(item)):
                yield from _check_post(item, path, doc.channels)
            if item.id is not None:
                if item.id in ids:
                    repeated_ids.append(
                        error((*path, "id"), f"id {item.id!r} is used twice in this campaign")
                    )
                ids.add(item.id)
    yield from repeated_ids


def _post_items(doc: CampaignDoc) -> Iterator[tuple[YamlPath, str | PostSpec]]:
    for d, day in enumerate(doc.days or []):
        for p, item in enumerate(day.posts):
            yield ("days", d, "posts", p), item
    for p, item in enumerate(doc.posts or []):
        yield ("posts", p), item


def _only_text(post: PostSpec) -> bool:
    return (
        post.text is not None
        and post.channels is None
        and post.twitter is None
        and post.facebook is None
        and not post.thread
        and post.image is None
        and post.alt is None
    )


def _check_post(post: PostSpec, path: YamlPath, defaults: Sequence[str]) -> Iterator[Finding]:
    if post.text is None and post.twitter is None and post.facebook is None and not post.thread:
        yield error(path, "a post needs 'text', 'twitter', 'facebook' or 'thread'")
        return
    if post.thread and post.twitter is not None:
        yield error((*path, "twitter"), "give either 'thread' or 'twitter', not both", at_key=True)
    channels = post_channels(post, defaults)
    for channel in post.channels or []:
        has_text = post.text is not None or (
            post.facebook if channel == "facebook" else post.twitter or post.thread
        )
        if not has_text:
            yield error((*path, "channels"), f"the post goes to {channel} but has no text for it")
    for channel in ("twitter", "facebook"):
        if getattr(post, channel) is not None and channel not in channels:
            yield warning(
                (*path, channel), f"the {channel} text is not used: the post does not go to {channel}"
            )
    if not channels:
        yield error(path, "the post goes to no channel: add 'text' or a text for one of its channels")
    yield from _check_alt(post, path)


def _check_alt(post: PostSpec, path: YamlPath) -> Iterator[Finding]:
    if post.image is not None and not (post.alt or "").strip():
        yield error(
            (*path, "image"), "an image needs 'alt' text describing it for people using screen readers"
        )
    if post.alt is not None and post.image is None:
        yield warning((*path, "alt"), "'alt' is ignored: the post has no image")
    if post.alt is not None and len(post.alt) > ALT_TEXT_MAX:
        yield error((*path, "alt"), f"alt text is {len(post.alt)} characters, over the {ALT_TEXT_MAX} limit")


def check_posts(spec: CampaignSpec, first_day: date) -> list[Finding]:
    """Render one run of the campaign and check every post as it will be sent.

    Items are rendered once for all their channels (``render.render_run``): building the plan's posts
    (times, ids, media) would cost more than the checks, and the checks need none of it.
    """
    findings: list[Finding] = []
    seen_texts: dict[tuple[str, date, tuple[str, ...]], YamlPath] = {}
    warned_dst: set[str] = set()
    tags = _Tags(spec.doc.hashtags)
    tz, campaign_time = spec.tz, spec.doc.time
    for item in render_run(spec, first_day):
        if item.error is not None:
            findings.append(error(item.item_path, str(item.error)))
            continue
        # Inline (not a function), as below: this runs for every post.
        at = timing.parse_time(item.post.time or item.day.time or campaign_time)
        dst_warning = timing.resolve_local(item.on, at, tz)[1]
        tagged: dict[tuple[str, ...], bool] = {}  # channels with the same text: look for tags once
        for sent in item.texts:
            findings += _check_sent_text(spec, sent, tags, tagged)
            channel, parts, text_path, _ = sent
            if seen_texts.setdefault((channel, item.on, parts), text_path) != text_path:
                findings.append(_duplicate(channel, text_path, item.day_number))
            if dst_warning and dst_warning not in warned_dst:
                warned_dst.add(dst_warning)
                findings.append(warning(_time_path(spec, item), dst_warning))
        if item.post.image is not None:
            channels = [channel for channel, *_ in item.texts]
            findings += _check_image(spec, item.post.image, item.item_path, channels)
    return findings


def _time_path(spec: CampaignSpec, item: RenderedItem) -> YamlPath:
    """The ``time`` key that decided a post's time: the post's, the day's, or the campaign's."""
    if item.post.time is not None:
        return (*item.item_path, "time")
    if item.day.time is not None:
        return (*spec.days_path, item.day_number - 1, "time")
    return ("time",)


def _check_sent_text(
    spec: CampaignSpec, sent: ChannelText, tags: _Tags, tagged: dict[tuple[str, ...], bool]
) -> list[Finding]:
    # Lists, not generators: this runs for every post on every channel, usually finding nothing.
    found = []
    channel, parts, text_path, is_thread = sent
    for number, part in enumerate(parts, start=1):
        if not part.isascii() and parts not in tagged:  # once for channels that send the same text
            found += _check_hashtag_characters(sent, number, part)
        if channel == "twitter":
            if (length := text.tweet_length(part)) > text.TWEET_MAX_LENGTH:
                label = f"tweet {number} of the thread" if is_thread else "the tweet"
                message = (
                    f"{label} is {length} characters as X counts them, over the limit of "
                    f"{text.TWEET_MAX_LENGTH} (links count 23, emoji and CJK count 2)"
                )
                found.append(error(_part_path(sent, number), message))
        # Facebook counts UTF-16 code units, at most 2 a character: most texts are too short to count.
        elif (
            len(part) * 2 > text.FACEBOOK_MAX_LENGTH
            and (length := text.facebook_length(part)) > text.FACEBOOK_MAX_LENGTH
        ):
            message = (
                f"the Facebook post is {length} characters, over the limit of {text.FACEBOOK_MAX_LENGTH}"
            )
            found.append(error(_part_path(sent, number), message))
        if not part:  # rendered parts are stripped already
            found.append(error(_part_path(sent, number), "the text is empty"))
    if not tags.lowered:
        tagged[parts] = True  # marks the text as checked (no tags to look for)
    else:
        has_tag = tagged.get(parts)
        if has_tag is None:
            has_tag = tagged[parts] = tags.carried_by(parts)
        if not has_tag:
            hashtags = ", ".join(spec.doc.hashtags)
            found.append(
                warning(text_path, f"the {channel} text carries none of the campaign's hashtags ({hashtags})")
            )
    return found


def _check_hashtag_characters(sent: ChannelText, number: int, part: str) -> list[Finding]:
    # Invisible (format) characters and Cyrillic or Greek letters are all outside ASCII, and every
    # hashtag lies after the first '#': most texts with an emoji or an accent have none after it.
    first_tag = part.find("#")
    if first_tag == -1 or part[first_tag:].isascii():
        return []
    found = []
    for tag in characters.hashtags_in(part):
        if not tag.isascii() and (problem := _hashtag_problem(tag)) is not None:
            found.append(Finding(_part_path(sent, number), *problem))
    return found


@lru_cache(maxsize=1024)
def _hashtag_problem(tag: str) -> tuple[Severity, str] | None:
    """What is wrong with a hashtag's characters, if anything (posts repeat their hashtags)."""
    if (invisible := characters.invisible_in_hashtag(tag)) is not None:
        return "error", invisible
    if (lookalike := characters.lookalike_in_hashtag(tag)) is not None:
        return "warning", lookalike
    return None


class _Tags:
    """The campaign's hashtags, looked for in a post's text whatever their case."""

    def __init__(self, hashtags: Sequence[str]) -> None:
        self.lowered = [tag.lower() for tag in hashtags]
        # Lowercasing a post costs more than the rest of its checks, and most posts carry a tag as
        # the campaign spells it. An ASCII tag found as written is also found lowercased (str.lower
        # is context-free on ASCII), so those are looked for first.
        self.ascii = [tag for tag in hashtags if tag.isascii()]

    def carried_by(self, parts: tuple[str, ...]) -> bool:
        for part in parts:  # loops, not any(): a generator costs more than the search here
            for tag in self.ascii:
                if tag in part:
                    return True
        joined = " ".join(parts).lower()
        return any(tag in joined for tag in self.lowered)


def _part_path(sent: ChannelText, number: int) -> YamlPath:
    """Where part ``number`` (1-based) of a channel's text is: the thread's item, or the text itself."""
    _, _, text_path, is_thread = sent
    return (*text_path, number - 1) if is_thread else text_path


def _duplicate(channel: str, text_path: YamlPath, day_number: int) -> Finding:
    refused = " (X refuses duplicate tweets)" if channel == "twitter" else ""
    return error(text_path, f"the same {channel} text is posted twice on day {day_number}{refused}")


def _check_image(
    spec: CampaignSpec, image: str, item_path: YamlPath, channels: list[str]
) -> Iterator[Finding]:
    resolved = (spec.base_dir / image).resolve()
    for message in image_problems(image, resolved, spec.root_dir, channels):
        yield error((*item_path, "image"), message)
