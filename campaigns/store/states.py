"""The post state machine: the ONE place that says which status may follow which, and moves posts.

::

    scheduled -> claimed -> sending -> published
        |           |          |-> failed       (permanent: the platform said no; reason recorded)
        |           |          |-> unconfirmed  (may have reached the platform; being reconciled)
        |           |          '-> scheduled    (transient, known not to have posted: retry later)
        |           |-> scheduled               (claim released: a hold, a pause or a spec change)
        |           '-> missed / cancelled
        |-> missed                              (its late window passed before it could go out)
        '-> cancelled                           (removed from the spec)

    unconfirmed -> published | scheduled | failed   (what reconciliation with the platform finds)
    failed, missed -> scheduled                     (``campaigns retry``, or an edit in the spec)
    failed, missed -> cancelled, cancelled -> scheduled   (removed from / put back into the spec)
    published: final.

Every move is a conditional UPDATE (``... WHERE id = :id AND status = :expected``); the caller learns
whether it won. A worker that holds a post (``sending``) also names its claim token (``owner``: the
``claimed_by`` it wrote when it took the post), so that a worker whose lease expired and whose post
another worker took since cannot move the new owner's row: compare-and-set on the claim. Two workers, a dispatcher and ``campaigns apply`` can race on one row: exactly one
wins each step, and the losers find out from the return value instead of double-posting.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from sqlalchemy import Table, update
from sqlmodel import Session

from campaigns.store.core_tables import POSTS
from campaigns.store.hot_path import connection_of, show_in_session, table_of
from campaigns.store.models import Post
from campaigns.store.post_status import ALLOWED, FOLLOWS_SPEC, HANDS_OFF, RETRYABLE, PostStatus

__all__ = [
    "ALLOWED",
    "FOLLOWS_SPEC",
    "HANDS_OFF",
    "RELEASED",
    "RETRYABLE",
    "PostStatus",
    "TransitionError",
    "is_allowed",
    "transition",
    "update_if_status",
]

# Columns cleared whenever a post leaves `claimed`/`sending`: nobody owns it any more.
RELEASED: Final[Mapping[str, None]] = MappingProxyType({"claimed_at": None, "claimed_by": None})

_COLUMNS: Final = frozenset(POSTS.c.keys()) - {"id", "updated_at"}
_POSTS: Final[Table] = table_of(Post)


class TransitionError(ValueError):
    """A transition the table does not allow was asked for: a bug in the caller, not a lost race."""


def is_allowed(old: PostStatus, new: PostStatus) -> bool:
    return new in ALLOWED[old]


def transition(
    *,
    session: Session,
    post_id: str,
    expected: PostStatus,
    to: PostStatus,
    now: datetime,
    values: Mapping[str, Any] | None = None,
    owner: str | None = None,
) -> bool:
    """Move post ``post_id`` from ``expected`` to ``to``, setting ``values`` too, if it is still ``expected``
    (and, with ``owner``, still held under that claim token).

    Returns True if this caller won (the row was ``expected`` and is now ``to``), False if the post
    is gone or another process moved it first. Raises TransitionError for a move the table forbids
    or a value that is not a column, before touching the database. Does not commit.
    """
    if not is_allowed(expected, to):
        raise TransitionError(f"a post cannot go from {expected} to {to}")
    if values and "status" in values:
        raise TransitionError("the new status is `to`, not a value")
    return _conditional_update(
        session, post_id, expected, now, {**(values or {}), "status": to.value}, owner=owner
    )


def update_if_status(
    *, session: Session, post_id: str, expected: PostStatus, now: datetime, values: Mapping[str, Any]
) -> bool:
    """Change columns of a post (not its status) only if it is still ``expected``. True if it was.

    Raises TransitionError for a value that is not a column (or is the status: use ``transition``).
    """
    if "status" in values:
        raise TransitionError("use transition() to change a post's status")
    return _conditional_update(session, post_id, expected, now, values)


def _conditional_update(
    session: Session,
    post_id: str,
    expected: PostStatus,
    now: datetime,
    values: Mapping[str, Any],
    *,
    owner: str | None = None,
) -> bool:
    unknown = set(values) - _COLUMNS
    if unknown:
        raise TransitionError(f"not a post column: {', '.join(sorted(unknown))}")
    values = {"updated_at": now, **values}
    stmt = update(_POSTS).where(_POSTS.c.id == post_id, _POSTS.c.status == expected.value)
    if owner is not None:
        stmt = stmt.where(_POSTS.c.claimed_by == owner)
    stmt = stmt.values(**values)
    if connection_of(session).execute(stmt).rowcount != 1:  # Core: see campaigns.store.hot_path
        return False
    show_in_session(session, Post, post_id, values)
    return True
