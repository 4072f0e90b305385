"""The hot path's writes, for all the posts of one message at once: ``claimed -> sending`` with their
attempt rows, ``sending -> published`` with their remote ids, and giving back posts never sent.

A burst is thousands of posts, sent in messages of up to ``GROUP`` posts of one account
(campaigns.publishing.dispatch). One statement per post and step, each in its own transaction, was
most of the CPU our own code spent on a post; these take a few statements per message instead.

Every statement is still a compare-and-set per post: ``claimed -> sending`` only on a row still
``claimed`` under the claim its guard saw, and every later write only on a row still ``sending``
under the message's claim token. RETURNING says which rows the caller moved; a row another worker
took over meanwhile is left alone and nothing of it is recorded. None of these functions commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, case, delete, insert, type_coerce, update
from sqlmodel import Session

from campaigns.store.attempts import redact
from campaigns.store.hot_path import connection_of, show_in_session, table_of
from campaigns.store.models import Attempt, Post, PostStatus
from campaigns.store.states import RELEASED, is_allowed

S = PostStatus
_POSTS = table_of(Post)
_ATTEMPTS = table_of(Attempt)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Started:
    """A post moved to ``sending``: its new attempt."""

    post_id: str
    attempt_id: int
    number: int  # the try's number: the post's ``attempts`` after this one was counted


@dataclass(frozen=True, slots=True)
class Published:
    """A post whose every part the platform took, to be recorded as published."""

    post_id: str
    token: str  # the claim token it was sent under
    attempt_id: int
    started_at: datetime  # the attempt's start
    at: datetime  # when the platform took its last part: its published_at
    remote_ids: list[str]
    remote_url: str | None  # None: keep the one recorded (the first part's link)


def _by(items: Iterable[T], key: Callable[[T], Any]) -> dict[Any, list[T]]:
    grouped: dict[Any, list[T]] = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return grouped


def start_sending(
    *,
    session: Session,
    claims: Mapping[str, str | None],
    now: datetime,
    token: str,
    worker: str | None = None,
) -> dict[str, Started]:
    """``claimed -> sending`` for each post of ``claims`` (post id -> the ``claimed_by`` its guard saw;
    None: no check, as ``states.transition``) still claimed under that claim, now held under
    ``token``, counted as a new try, with its attempt row. Returns the posts moved; the others
    were taken by another worker. Commit before calling the platform."""
    assert is_allowed(S.CLAIMED, S.SENDING)
    if not claims:
        return {}
    connection = connection_of(session)  # Core statements: see campaigns.store.hot_path
    numbers: dict[str, int] = {}
    # One UPDATE per claim seen: all the posts of a message were claimed by one dispatcher.
    for owner, ids in _by(claims, claims.__getitem__).items():
        claimed = update(_POSTS).where(_POSTS.c.id.in_(ids), _POSTS.c.status == S.CLAIMED.value)
        if owner is not None:
            claimed = claimed.where(_POSTS.c.claimed_by == owner)
        moved = connection.execute(
            claimed.values(
                status=S.SENDING.value, attempts=_POSTS.c.attempts + 1, claimed_by=token, updated_at=now
            ).returning(_POSTS.c.id, _POSTS.c.attempts)
        )
        numbers.update((post_id, number) for post_id, number in moved)
    if not numbers:
        return {}
    for post_id, number in numbers.items():
        values = {"status": S.SENDING.value, "attempts": number, "claimed_by": token, "updated_at": now}
        show_in_session(session, Post, post_id, values)
    rows = [
        {"post_id": post_id, "number": number, "worker": worker, "started_at": now}
        for post_id, number in numbers.items()
    ]
    # Multi-row INSERT ... RETURNING: the rows come back in no promised order, hence the post id.
    inserted = connection.execute(
        insert(_ATTEMPTS).values(rows).returning(_ATTEMPTS.c.id, _ATTEMPTS.c.post_id)
    )
    return {post_id: Started(post_id, attempt_id, numbers[post_id]) for attempt_id, post_id in inserted}


def _each(table: Table, key: str, values: Mapping[Any, Any], column: str) -> ColumnElement[Any]:
    """``CASE key WHEN k THEN v ... ELSE column END``: a value per row in one UPDATE."""
    typed = table.c[column].type
    whens = {k: type_coerce(v, typed) for k, v in values.items()}
    return case(whens, value=table.c[key], else_=table.c[column])


def record_published(*, session: Session, now: datetime, published: Sequence[Published]) -> list[str]:
    """``sending -> published`` for each post still held under its token, with its remote ids, and
    its attempt closed; returns the ids recorded. A post another worker holds now records nothing,
    its attempt row included (the caller logs why)."""
    assert is_allowed(S.SENDING, S.PUBLISHED)
    if not published:
        return []
    connection = connection_of(session)
    won: set[str] = set()
    for token, group in _by(published, lambda p: p.token).items():
        urls = {p.post_id: p.remote_url for p in group if p.remote_url is not None}
        stmt = (
            update(_POSTS)
            .where(
                _POSTS.c.id.in_([p.post_id for p in group]),
                _POSTS.c.status == S.SENDING.value,
                _POSTS.c.claimed_by == token,
            )
            .values(
                status=S.PUBLISHED.value,
                status_reason=None,
                published_at=_each(_POSTS, "id", {p.post_id: p.at for p in group}, "published_at"),
                remote_ids=_each(_POSTS, "id", {p.post_id: p.remote_ids for p in group}, "remote_ids"),
                remote_url=_each(_POSTS, "id", urls, "remote_url") if urls else _POSTS.c.remote_url,
                updated_at=now,
                **RELEASED,
            )
            .returning(_POSTS.c.id)
        )
        won.update(connection.execute(stmt).scalars())
    done = [p for p in published if p.post_id in won]
    if done:
        finished = {p.attempt_id: p for p in done}
        connection.execute(
            update(_ATTEMPTS)
            .where(_ATTEMPTS.c.id.in_(list(finished)))
            .values(
                finished_at=_each(_ATTEMPTS, "id", {k: p.at for k, p in finished.items()}, "finished_at"),
                duration_ms=_each(
                    _ATTEMPTS,
                    "id",
                    {
                        k: max(0, round((p.at - p.started_at).total_seconds() * 1000))
                        for k, p in finished.items()
                    },
                    "duration_ms",
                ),
                outcome="published",
                response=_each(
                    _ATTEMPTS,
                    "id",
                    {k: redact({"remote_ids": p.remote_ids}) for k, p in finished.items()},
                    "response",
                ),
            )
        )
    for p in done:
        values: dict[str, Any] = {
            "status": S.PUBLISHED.value,
            "published_at": p.at,
            "remote_ids": p.remote_ids,
        }
        if p.remote_url is not None:
            values["remote_url"] = p.remote_url
        show_in_session(session, Post, p.post_id, {**values, "updated_at": now, **RELEASED})
    return [p.post_id for p in published if p.post_id in won]


def give_back_unsent(
    *, session: Session, token: str, attempts: Mapping[str, int], now: datetime
) -> list[str]:
    """``sending -> scheduled`` for posts moved to ``sending`` under ``token`` whose platform call was
    never made (``attempts``: post id -> its attempt row): the try is not counted and its attempt
    row is removed, since nothing was tried. Returns the ids given back; a post another worker
    holds now is left alone."""
    assert is_allowed(S.SENDING, S.SCHEDULED)
    if not attempts:
        return []
    connection = connection_of(session)
    moved = list(
        connection.execute(
            update(_POSTS)
            .where(
                _POSTS.c.id.in_(list(attempts)),
                _POSTS.c.status == S.SENDING.value,
                _POSTS.c.claimed_by == token,
            )
            .values(status=S.SCHEDULED.value, attempts=_POSTS.c.attempts - 1, updated_at=now, **RELEASED)
            .returning(_POSTS.c.id)
        ).scalars()
    )
    if moved:
        connection.execute(delete(_ATTEMPTS).where(_ATTEMPTS.c.id.in_([attempts[p] for p in moved])))
    return moved
