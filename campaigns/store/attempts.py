"""The attempt log and a post's progress while it is ``sending``: written before and after each platform call.

The order a worker follows: ``transition(claimed -> sending)``, ``start_attempt`` and commit; then for
each part still missing: call the platform, ``record_part`` and commit; then ``finish_attempt`` and
the final transition (which may carry the last part's id itself, in the same commit). A crash
anywhere leaves a row that says how far it got.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col

from campaigns.store.hot_path import connection_of, show_in_session, table_of
from campaigns.store.models import Attempt, Post, PostStatus

_POSTS = table_of(Post)
_ATTEMPTS = table_of(Attempt)

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(r"token|secret|password|passwd|authorization|signature|cookie|(^|_)key$", re.I)
_SECRET_IN_TEXT = re.compile(
    r"((?:access_token|oauth_token|oauth_signature|client_secret|appsecret_proof)=)[^&\s\"']+", re.I
)


def redact(value: Any) -> Any:
    """A copy of ``value`` (JSON-like) with anything that looks like a credential replaced."""
    if isinstance(value, Mapping):
        return {str(k): REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _SECRET_IN_TEXT.sub(rf"\1{REDACTED}", value)
    return value


def start_attempt(
    *, session: Session, post_id: str, now: datetime, worker: str | None = None
) -> Attempt | None:
    """Count and log a new try of a post that is ``sending``. None if the post is not (any more) sending.

    Commit before calling the platform, so that the try is on record even if the process dies in it.
    """
    connection = connection_of(session)  # Core statements: see campaigns.store.hot_path
    number = connection.execute(
        update(_POSTS)
        .where(_POSTS.c.id == post_id, _POSTS.c.status == PostStatus.SENDING.value)
        .values(attempts=_POSTS.c.attempts + 1, updated_at=now)
        .returning(_POSTS.c.attempts)
    ).scalar_one_or_none()
    if number is None:
        return None
    show_in_session(session, Post, post_id, {"attempts": number, "updated_at": now})
    values = {"post_id": post_id, "number": number, "worker": worker, "started_at": now}
    attempt_id = connection.execute(insert(_ATTEMPTS).values(**values).returning(_ATTEMPTS.c.id)).scalar_one()
    return Attempt(id=attempt_id, **values)


def finish_attempt(
    *,
    session: Session,
    attempt_id: int,
    now: datetime,
    outcome: str,
    error: str | None = None,
    response: Mapping[str, Any] | None = None,
    started_at: datetime | None = None,
) -> None:
    """Close an attempt: how it ended, the error (one line, no secrets) and the platform's answer.

    ``started_at``: the attempt's start if the caller knows it (saves reading the row first).
    """
    if started_at is None:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None:
            raise LookupError(f"no attempt {attempt_id}")
        started_at = attempt.started_at
    redacted = redact(error) if error else None
    values = {
        "finished_at": now,
        "duration_ms": max(0, round((now - started_at).total_seconds() * 1000)),
        "outcome": outcome,
        "error": redacted,
        "response": redact(dict(response)) if response is not None else None,
    }
    post_id = (
        connection_of(session)  # a Core statement: see campaigns.store.hot_path
        .execute(
            update(_ATTEMPTS)
            .where(_ATTEMPTS.c.id == attempt_id)
            .values(**values)
            .returning(_ATTEMPTS.c.post_id)
        )
        .scalar_one_or_none()
    )
    if post_id is None:
        raise LookupError(f"no attempt {attempt_id}")
    show_in_session(session, Attempt, attempt_id, values)  # a copy of the row in the caller's session
    if redacted:
        session.exec(
            update(Post)
            .where(col(Post.id) == post_id)
            .values(last_error=redacted, updated_at=now)
            .execution_options(synchronize_session=False)
        )


def record_part(
    *,
    session: Session,
    post: Post,
    index: int,
    remote_id: str,
    now: datetime,
    url: str | None = None,
    owner: str | None = None,
) -> bool:
    """Record that part ``index`` (0-based) of ``post`` is on the platform as ``remote_id``.

    Parts are recorded in order and only while the post is ``sending`` (and, with ``owner``, still
    held under that claim token); returns False (and records nothing) otherwise. ``url`` is kept
    for the first part: that is the post's link.
    """
    if index != len(post.remote_ids):
        return False
    new_ids = [*post.remote_ids, remote_id]
    values: dict[str, Any] = {"remote_ids": new_ids, "updated_at": now}
    if index == 0 and url is not None:
        values["remote_url"] = url
    mine = [col(Post.claimed_by) == owner] if owner is not None else []
    won = session.exec(
        update(Post)
        .where(col(Post.id) == post.id, col(Post.status) == PostStatus.SENDING.value, *mine)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won == 1:
        post.remote_ids = new_ids
        post.remote_url = values.get("remote_url", post.remote_url)
    return won == 1
