"""What the domain needs from a platform, and the values that cross the boundary.

One protocol covers X and Facebook Pages. Every method raises only
``campaigns.platforms.errors.PlatformError`` subclasses. An adapter is bound to ONE account (its
credentials never leave it) and holds one pooled HTTP session: build it once per worker process
and account, and ``close()`` it when done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class MediaFile:
    """An image to attach. ``alt`` is its description for people using screen readers."""

    path: Path
    alt: str


@dataclass(frozen=True, slots=True)
class RemotePost:
    """A post as the platform knows it.

    ``id`` is what ``metrics`` and ``reply_to`` take (on Facebook the ``{page}_{post}`` id, also for
    photo posts). ``created_at`` is the platform's time when it tells us, else the moment we got
    its answer (aware, UTC).
    """

    id: str
    url: str
    created_at: datetime
    text: str = ""


@dataclass(frozen=True, slots=True)
class PostMetrics:
    """Engagement in one vocabulary for both platforms.

    likes = X likes / Facebook reactions; reposts = X reposts (retweets) / Facebook shares;
    replies = X replies / Facebook comments; impressions = X impressions / Facebook views
    (``post_media_view``). ``None`` means the platform does not have or did not give that figure
    (Facebook has no quotes or bookmarks). ``raw`` is what the platform answered, for the record.
    """

    likes: int
    reposts: int
    replies: int
    quotes: int | None = None
    impressions: int | None = None
    bookmarks: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HashtagPost:
    """A post found by ``search_hashtag``. ``author_id`` is the platform's user (or Page) id."""

    id: str
    author_id: str
    text: str
    created_at: datetime
    metrics: PostMetrics


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """Who the credentials belong to, as the platform says (X ``users/me``, Graph ``me``)."""

    platform: str
    account: str
    user_id: str
    handle: str  # "@username" on X, the Page name on Facebook
    name: str


@dataclass(frozen=True, slots=True)
class RateLimitStatus:
    """The platform's last word on a route's rate limit (X ``x-rate-limit-*`` headers)."""

    limit: int | None
    remaining: int | None
    reset_at: datetime | None


@runtime_checkable
class Platform(Protocol):
    """One account on one platform.

    Threads (X only; Facebook refuses ``reply_to``) are published part by part by the caller
    (``reply_to`` = the previous part's id), so that a crash resumes from the last recorded part. ``find_candidates`` is the reconciliation
    step after ``OutcomeUnknown`` or ``AlreadyPublished``.
    """

    name: str  # "twitter" | "facebook"
    account: str  # the account's configured name, e.g. "default"

    def publish(
        self,
        text: str,
        *,
        media: Sequence[MediaFile] = (),
        reply_to: str | None = None,
        link: str | None = None,
    ) -> RemotePost:
        """Create one post. ``link`` is a URL to show as a preview card (Facebook ``link``; on X it
        is appended to the text unless the text already contains it)."""
        ...

    def find_candidates(
        self, text: str, *, since: datetime, reply_to: str | None = None, link: str | None = None
    ) -> list[RemotePost]:
        """Every post of the account created at or after ``since`` whose text is this text (with
        ``link``, as given to ``publish``), newest first. The whole text is compared, links included,
        after undoing what the platform changes (X: t.co links expanded from ``entities.urls``, the
        attachment's link dropped; whitespace and entities; see ``campaigns.platforms.matching``).
        With ``reply_to``, only replies to that post count. The caller decides among several."""
        ...

    def metrics(self, remote_ids: Sequence[str]) -> dict[str, PostMetrics]:
        """Current engagement for each id the platform still knows (deleted posts are left out)."""
        ...

    def search_hashtag(
        self, hashtag: str, *, since_id: str | None = None, limit: int = 500
    ) -> list[HashtagPost]:
        """Recent posts with the hashtag, newest first, after ``since_id`` if given, at most
        ``limit`` (X bills reads per post).

        X: everyone's posts of the last 7 days. Facebook has no hashtag search: the Page's own
        posts that contain the hashtag."""
        ...

    def check(self) -> AccountStatus:
        """Ask the platform who the credentials belong to; raises if they do not work."""
        ...

    def rate_limit(self, method: str, route: str) -> RateLimitStatus | None:
        """The last rate-limit headers seen for ``method route`` (e.g. ``POST /2/tweets``), if any."""
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...
