"""Which stored row is which planned post: the pairing rules of ``campaigns.store.diff`` (see its docstring).

Pure: planned posts and rows in, pairs out.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol, TypeVar

from campaigns.planned import PlannedPost
from campaigns.store.post_status import PostStatus


class PairedRow(Protocol):
    """What pairing reads of a stored post: a ``Post``, or a Core row of the posts table."""

    @property
    def id(self) -> str: ...
    @property
    def campaign_slug(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def day(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def thread(self) -> Sequence[str]: ...
    @property
    def status(self) -> str: ...


Row = TypeVar("Row", bound=PairedRow)


def _content(post: PlannedPost | PairedRow, *, with_day: bool) -> tuple[object, ...]:
    parts = tuple(post.thread) or (post.text,)  # what is sent, in order (PlannedPost.parts)
    slug = post.campaign_slug
    return (slug, post.channel, post.day, parts) if with_day else (slug, post.channel, parts)


def pair_rows(planned: Sequence[PlannedPost], rows: Sequence[Row]) -> dict[str, Row]:
    """planned post id -> the row that is that post (see the module docstring); unpaired ones are
    absent. No row is paired twice."""
    pairs: dict[str, Row] = {}
    used: set[str] = set()
    by_id = {row.id: row for row in rows}

    def take(post: PlannedPost, row: Row) -> None:
        pairs[post.post_id] = row
        used.add(row.id)

    for post in planned:  # 1. the spec named it
        row = by_id.get(post.post_id)
        if post.id_given and row is not None:
            take(post, row)
    for with_day in (True, False):  # 2. same text on the same day; 4. on another day, if unique
        if not with_day:
            for post in planned:  # 3. by id
                row = by_id.get(post.post_id)
                if post.post_id not in pairs and row is not None and row.id not in used:
                    take(post, row)
        posts_by: dict[tuple[object, ...], list[PlannedPost]] = defaultdict(list)
        rows_by: dict[tuple[object, ...], list[Row]] = defaultdict(list)
        for post in planned:
            if post.post_id not in pairs:
                posts_by[_content(post, with_day=with_day)].append(post)
        for row in rows:
            if row.id not in used:
                rows_by[_content(row, with_day=with_day)].append(row)
        for key, posts in posts_by.items():
            candidates = rows_by.get(key, [])
            if len(posts) != 1 or not candidates or (not with_day and len(candidates) != 1):
                continue
            [post] = posts
            # The same id first, then a live row before a cancelled one.
            candidates.sort(key=lambda r: (r.id != post.post_id, r.status == PostStatus.CANCELLED, r.id))
            take(post, candidates[0])
    return pairs


def free_id(post: PlannedPost, taken: set[str]) -> str:
    """An id for a new post whose own id a row holds: its id and a suffix from its text."""
    slug, _, channel = post.post_id.rpartition(":")
    digest = hashlib.sha256("\n".join(post.parts).encode()).hexdigest()
    for size in range(6, len(digest) + 1):
        candidate = f"{slug}~{digest[:size]}:{channel}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"no free id for {post.post_id}")
