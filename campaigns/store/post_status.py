"""The statuses of a post and the moves allowed between them, in a module of their own: the reads and
the diff that load no table class use them too. Making the moves is ``campaigns.store.states``."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class PostStatus(StrEnum):
    """Where a post is in its life; the allowed moves are in ``campaigns.store.states``."""

    SCHEDULED = "scheduled"
    CLAIMED = "claimed"
    SENDING = "sending"
    PUBLISHED = "published"
    FAILED = "failed"
    MISSED = "missed"
    UNCONFIRMED = "unconfirmed"
    CANCELLED = "cancelled"


S = PostStatus
ALLOWED: Final[Mapping[PostStatus, frozenset[PostStatus]]] = MappingProxyType(
    {
        S.SCHEDULED: frozenset({S.CLAIMED, S.MISSED, S.CANCELLED}),
        S.CLAIMED: frozenset({S.SENDING, S.SCHEDULED, S.MISSED, S.CANCELLED}),
        S.SENDING: frozenset({S.PUBLISHED, S.FAILED, S.UNCONFIRMED, S.SCHEDULED}),
        S.UNCONFIRMED: frozenset({S.PUBLISHED, S.SCHEDULED, S.FAILED}),
        S.FAILED: frozenset({S.SCHEDULED, S.CANCELLED}),
        S.MISSED: frozenset({S.SCHEDULED, S.CANCELLED}),
        S.CANCELLED: frozenset({S.SCHEDULED}),
        S.PUBLISHED: frozenset(),
    }
)

# Statuses in which the platform may hold (part of) the post: a spec change never touches these.
HANDS_OFF: Final = frozenset({S.SENDING, S.UNCONFIRMED, S.PUBLISHED})
# The rest follow the spec: edited in place, rescheduled, cancelled or restored.
FOLLOWS_SPEC: Final = frozenset(PostStatus) - HANDS_OFF
# What `campaigns retry` puts back in the queue.
RETRYABLE: Final = frozenset({S.FAILED, S.MISSED})
