"""Why the spec files in the folder are not in force: one row every process shares.

Each worker process syncs the specs on its own; recording a version's problems is one conditional
UPDATE that only the first process to see that version wins, so its problems are reported once
across processes and machines, and ``campaigns status`` can show them. None of these commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col

from campaigns.store.insert_missing import insert_missing
from campaigns.store.pipeline_models import SpecProblems

NAME = "specs"


def spec_fingerprint(hashes: Mapping[str, str]) -> str:
    """sha256 of a version of the specs folder: its files' names and hashes, sorted."""
    return hashlib.sha256(
        "\n".join(f"{slug} {digest}" for slug, digest in sorted(hashes.items())).encode()
    ).hexdigest()


def record_spec_problems(
    *, session: Session, hashes: Mapping[str, str], problems: Sequence[str], now: datetime
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
    session.exec(insert_missing(session, SpecProblems, empty))
    fingerprint = spec_fingerprint(hashes)
    stmt = (
        update(SpecProblems)
        .where(
            col(SpecProblems.name) == NAME,
            or_(col(SpecProblems.fingerprint).is_(None), col(SpecProblems.fingerprint) != fingerprint),
        )
        .values(fingerprint=fingerprint, problems=list(problems), since=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(session.exec(stmt).rowcount == 1)


def clear_spec_problems(*, session: Session, now: datetime) -> bool:
    """Forget the problems (the files in force are the folder's again). True if there were any."""
    stmt = (
        update(SpecProblems)
        .where(col(SpecProblems.name) == NAME, col(SpecProblems.fingerprint).is_not(None))
        .values(fingerprint=None, problems=[], since=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(session.exec(stmt).rowcount == 1)


def current_spec_problems(*, session: Session) -> SpecProblems | None:
    """The recorded problems, or None when the folder's files are the ones in force."""
    row = session.get(SpecProblems, NAME, populate_existing=True)
    return row if row is not None and row.fingerprint is not None else None
