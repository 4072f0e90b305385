"""Which posts already own a remote id: reconciliation must never give one platform post to two of ours."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import String, cast, or_
from sqlmodel import Session, col, select

from campaigns.store.models import Post


def owned_remote_ids(*, session: Session, channel: str, remote_ids: Collection[str], but: str) -> set[str]:
    """Those of ``remote_ids`` that a post other than ``but`` on ``channel`` has recorded.

    ``remote_ids`` is a JSON list column; its text holds each id as ``"<id>"`` on both SQLite and
    PostgreSQL, so a LIKE per candidate (a handful) finds the owners without a JSON operator.
    """
    if not remote_ids:
        return set()
    as_text = cast(col(Post.remote_ids), String)
    rows = session.exec(
        select(Post.remote_ids).where(
            col(Post.channel) == channel,
            col(Post.id) != but,
            or_(*(as_text.like(f'%"{remote_id}"%') for remote_id in remote_ids)),
        )
    ).all()
    owned = {str(remote_id) for ids in rows for remote_id in ids}
    return owned & set(remote_ids)
