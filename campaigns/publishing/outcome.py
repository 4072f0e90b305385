"""What the publishing functions return, and the log lines people read."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaigns.platforms import MediaFile
from campaigns.publishing.policy import describe_lateness
from campaigns.store.models import Post

log = logging.getLogger("campaigns.publishing")


@dataclass(frozen=True, slots=True)
class PublishResult:
    """How one publish or reconcile call ended. ``str()`` is the one-line summary tasks return."""

    post_id: str
    outcome: (
        str  # published | skipped | missed | released | retry | rate_limited | held | unconfirmed | failed
    )
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.post_id}: {self.outcome}" + (f" ({self.detail})" if self.detail else "")


def media_files(post: Post) -> tuple[MediaFile, ...]:
    return tuple(MediaFile(Path(item["path"]), item.get("alt", "")) for item in post.media)


def log_published(post: Post, *, handle: str, lateness: float | None, how: str = "") -> None:
    """``published ssw-week:d1p1:twitter as @SSWAlliance_demo https://... 0.21 s after its time``."""
    parts = len(post.parts)
    extra = [
        f"thread of {parts}" if parts > 1 else "",
        describe_lateness(lateness) if lateness is not None else "",
        how,
    ]
    url = post.remote_url or (post.remote_ids[0] if post.remote_ids else "(remote id unknown)")
    log.info("published %s as %s %s %s", post.id, handle, url, ", ".join(e for e in extra if e))


@dataclass(slots=True)
class Sending:
    """A post this worker moved to ``sending``, and its attempt."""

    post: Post  # detached copy; record_part keeps its remote_ids current
    token: str  # this worker's claim token: claimed_by while the post is ours
    attempt_id: int
    attempt: int  # the try's number (post.attempts once it was counted)
    started_at: datetime  # the attempt's start


@dataclass(frozen=True, slots=True)
class Part:
    """A part the platform has just taken."""

    index: int
    remote_id: str
    url: str | None


LOST_CLAIM = "lost claim"  # the outcome of a worker whose row another worker holds now


def taken_over(post: Post, part: Part | None, what: str = "") -> PublishResult:
    """This worker's lease ran out (the sweep took the post from it, and maybe another worker took
    it since): its row is not its own any more, so it records nothing and says why."""
    done = f"part {part.index + 1} sent as {part.remote_id}" if part is not None else what
    log.warning(
        "%s: %s, but the post's claim is no longer held by this worker (its sending lease ran out); "
        "nothing recorded",
        post.id,
        done,
    )
    return PublishResult(post.id, LOST_CLAIM, "taken over while sending; nothing recorded")
