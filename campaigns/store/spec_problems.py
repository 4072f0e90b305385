"""Why the spec files in the folder are not in force: one row every process shares.

Each worker process syncs the specs on its own; recording a version's problems is one conditional
UPDATE that only the first process to see that version wins, so its problems are reported once
across processes and machines, and ``campaigns status`` can show them. None of these commits.

Core statements (``campaigns.store.core_tables``) on a session's or a Core connection's transaction:
`campaigns status` reads the record without loading SQLModel (the table class is
``campaigns.store.pipeline_models.SpecProblems``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, or_, select, update

from campaigns.store.core_tables import SPEC_PROBLEMS
from campaigns.store.hot_path import connection_of
from campaigns.store.insert_missing import insert_missing

if TYPE_CHECKING:
    from sqlmodel import Session

NAME = "specs"


def spec_fingerprint(hashes: Mapping[str, str]) -> str:
    """sha256 of a version of the specs folder: its files' names and hashes, sorted."""
    return hashlib.sha256(
        "\n".join(f"{slug} {digest}" for slug, digest in sorted(hashes.items())).encode()
    ).hexdigest()


def record_spec_problems(
    *, session: Session | Connection, hashes: Mapping[str, str], problems: Sequence[str], now: datetime
) -> bool:
    """Record why the version of the files ``hashes`` describes is not applied.

    True iff this call changed the record (it is the first to see this version): of concurrent
    callers with the same files exactly one gets True, and only that one should report them.
    """
    empty: dict[str, object] = {
        "name": NAME,
        "fingerprint": None,
        "problems": [],
        "since": None,
        "updated_at": now,
    }
    connection = connection_of(session)
    connection.execute(insert_missing(connection, SPEC_PROBLEMS, empty))
    fingerprint = spec_fingerprint(hashes)
    columns = SPEC_PROBLEMS.c
    stmt = (
        update(SPEC_PROBLEMS)
        .where(columns.name == NAME, or_(columns.fingerprint.is_(None), columns.fingerprint != fingerprint))
        .values(fingerprint=fingerprint, problems=list(problems), since=now, updated_at=now)
    )
    return connection.execute(stmt).rowcount == 1


def clear_spec_problems(*, session: Session | Connection, now: datetime) -> bool:
    """Forget the problems (the files in force are the folder's again). True if there were any."""
    stmt = (
        update(SPEC_PROBLEMS)
        .where(SPEC_PROBLEMS.c.name == NAME, SPEC_PROBLEMS.c.fingerprint.is_not(None))
        .values(fingerprint=None, problems=[], since=None, updated_at=now)
    )
    return connection_of(session).execute(stmt).rowcount == 1


def current_spec_problems(*, session: Session | Connection) -> Row[Any] | None:
    """The recorded problems (a row with ``problems`` and ``since``), or None when the folder's files
    are the ones in force."""
    recorded = select(SPEC_PROBLEMS).where(
        SPEC_PROBLEMS.c.name == NAME, SPEC_PROBLEMS.c.fingerprint.is_not(None)
    )
    return connection_of(session).execute(recorded).first()
