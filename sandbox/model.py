"""What the sandbox remembers: accounts, Pages, posts and media, for both platforms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Platform = Literal["x", "facebook"]

# twitter-text's hashtag rule, simplified: a # not preceded by a word character, then letters,
# digits, underscores (at least one non-digit). Good enough for matching campaign tags.
_HASHTAG = re.compile(r"(?<![\w&#])[#＃](\w*[^\W\d]\w*)")


def hashtags(text: str) -> tuple[str, ...]:
    """The hashtags of ``text``, lower-cased, in order, without repeats."""
    return tuple(dict.fromkeys(m.group(1).lower() for m in _HASHTAG.finditer(text)))


def hashtag_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tag) per hashtag, in code points, as X's ``entities.hashtags`` has them."""
    return [(m.start(), m.end(), m.group(1)) for m in _HASHTAG.finditer(text)]


@dataclass(slots=True)
class XAccount:
    id: str
    username: str
    name: str
    access_token: str
    access_token_secret: str
    created_at: datetime
    followers: int = 1000


@dataclass(slots=True)
class FbPage:
    id: str
    name: str
    access_token: str
    followers: int = 1000


@dataclass(slots=True)
class Media:
    id: str
    platform: Platform
    owner_id: str  # the X user or Facebook Page that uploaded it
    media_type: str  # MIME type
    category: str  # tweet_image, tweet_gif, tweet_video, ... ("photo" on Facebook)
    created_at: datetime
    total_bytes: int = 0
    data: bytes = b""
    alt_text: str | None = None
    state: str = "succeeded"  # X processing state: uploading, pending, in_progress, succeeded, failed
    source_url: str | None = None  # a Facebook photo posted by ``url`` (the sandbox does not fetch it)
    chunks: dict[int, bytes] = field(default_factory=dict)

    @property
    def media_key(self) -> str:
        prefix = {"tweet_video": "7", "amplify_video": "7", "tweet_gif": "16"}.get(self.category, "3")
        return f"{prefix}_{self.id}"

    @property
    def kind(self) -> str:
        return {"7": "video", "16": "animated_gif"}.get(self.media_key.split("_")[0], "photo")


@dataclass(slots=True)
class Post:
    """A tweet or a Page post. Simulated chatter by other accounts uses the same type."""

    platform: Platform
    id: str
    account_id: str
    text: str
    created_at: datetime
    media_ids: tuple[str, ...] = ()
    in_reply_to: str | None = None  # X: the parent tweet's id
    in_reply_to_user: str | None = None
    conversation_id: str | None = None  # X: the thread's first tweet
    link: str | None = None  # Facebook
    photo_id: str | None = None  # Facebook: the photo node behind a photo post
    published: bool = True
    scheduled_at: datetime | None = None  # Facebook: scheduled_publish_time of an unpublished post
    deleted_at: datetime | None = None
    simulated: bool = False
    retweet_of: str | None = None  # simulated retweets only
    tags: tuple[str, ...] = ()

    def visible_at(self, now: datetime) -> bool:
        if self.deleted_at is not None or self.created_at > now:
            return False
        return self.published or (self.scheduled_at is not None and self.scheduled_at <= now)
