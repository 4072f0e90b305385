"""Weekly report deliveries: one row per (campaign, week, recipient), so a report goes once per person.

A row is created ``pending``; a sender ``claim``s it (``pending``/``failed`` -> ``sending``, one
conditional UPDATE, committed) before it talks to the SMTP server, and records ``sent`` or ``failed``
right after. Of two runs at once (two workers, a tick redelivered) only the claimant sends; a crash or
a lost database after the SMTP server accepted the message leaves the row ``sending``, never
``pending``, so it is not sent again. A claim older than ``stale_after`` is the sign of such a crash:
the row becomes ``interrupted`` (it may have arrived) and waits for a person (``campaigns status``,
the dashboard's Resend) rather than risk a second copy: at most once. Failures stay ``failed`` with
their reason and are retried hourly, up to ``MAX_ATTEMPTS``; ``campaigns status`` and ``health`` show
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaigns.store.insert_missing import dialect_insert
from campaigns.store.report_models import ReportDelivery

MAX_ATTEMPTS = 24  # hourly: a day of retries, then it waits for a person (see `campaigns status`)
RETRIED = ("pending", "failed")  # statuses a run may claim; ``interrupted`` only by a person's Resend


def stale_after(smtp_timeout: float) -> timedelta:
    """How old a claim must be to be a crash's: a send is a connection, STARTTLS, login and the
    message, each at most ``smtp_timeout``; twice that, and never under a minute."""
    return timedelta(seconds=max(60.0, 8 * smtp_timeout))


def ensure_deliveries(
    *, session: Session, campaign: str, week: str, recipients: Sequence[str], now: datetime
) -> None:
    """A pending row per recipient not yet known for this week (existing rows are left alone)."""
    if not recipients:
        return
    insert = dialect_insert(session)
    rows = [
        {
            "campaign": campaign,
            "week": week,
            "recipient": r,
            "status": "pending",
            "attempts": 0,
            "updated_at": now,
        }
        for r in dict.fromkeys(recipients)
    ]
    session.execute(insert(ReportDelivery).values(rows).on_conflict_do_nothing())


def deliveries(*, session: Session, campaign: str, week: str) -> list[ReportDelivery]:
    stmt = select(ReportDelivery).where(
        col(ReportDelivery.campaign) == campaign, col(ReportDelivery.week) == week
    )
    return list(session.exec(stmt))


def unsent(*, session: Session, campaign: str, week: str) -> list[ReportDelivery]:
    """The week's deliveries still to try: pending, or failed fewer than MAX_ATTEMPTS times."""
    stmt = select(ReportDelivery).where(
        col(ReportDelivery.campaign) == campaign,
        col(ReportDelivery.week) == week,
        col(ReportDelivery.status).in_(RETRIED),
        col(ReportDelivery.attempts) < MAX_ATTEMPTS,
    )
    return list(session.exec(stmt.order_by(col(ReportDelivery.recipient))))


def claim(*, session: Session, delivery_id: int, now: datetime, statuses: Sequence[str] = RETRIED) -> bool:
    """True iff this caller may send the delivery now: it was in ``statuses`` and is ``sending`` now,
    one more attempt counted. Of concurrent callers at most one wins. Commit before sending."""
    stmt = update(ReportDelivery).where(
        col(ReportDelivery.id) == delivery_id,
        col(ReportDelivery.status).in_(list(statuses)),
        col(ReportDelivery.attempts) < MAX_ATTEMPTS,
    )
    values = {"status": "sending", "attempts": ReportDelivery.attempts + 1, "updated_at": now}
    result = session.execute(stmt.values(values).execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def record_outcome(*, session: Session, delivery_id: int, error: str | None, now: datetime) -> None:
    """The outcome of a claimed try (the claim counted the attempt): sent, or failed with its reason."""
    _record(session, delivery_id, error, now, {})


def interrupt_stale(*, session: Session, before: datetime, now: datetime) -> int:
    """Claims older than ``before`` (their sender died mid-send): ``interrupted``, with the reason.
    Returns how many."""
    stmt = update(ReportDelivery).where(
        col(ReportDelivery.status) == "sending", col(ReportDelivery.updated_at) < before
    )
    values = {
        "status": "interrupted",
        "updated_at": now,
        "last_error": "interrupted while being sent (the worker or the database stopped): it may have "
        "arrived, so it is not sent again by itself; Resend it if it did not",
    }
    result = session.execute(stmt.values(values).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_attempt(*, session: Session, delivery_id: int, error: str | None, now: datetime) -> None:
    """The outcome of one try: sent (``error`` None) or failed with its one-line reason."""
    _record(session, delivery_id, error, now, {"attempts": ReportDelivery.attempts + 1})


def _record(
    session: Session, delivery_id: int, error: str | None, now: datetime, extra: dict[str, object]
) -> None:
    """Sent or failed (never over a delivery already sent), with ``extra`` values."""
    values: dict[str, object] = {**extra, "updated_at": now}
    values.update(
        {"status": "sent", "sent_at": now, "last_error": None}
        if error is None
        else {"status": "failed", "last_error": error}
    )
    stmt = update(ReportDelivery).where(
        col(ReportDelivery.id) == delivery_id, col(ReportDelivery.status) != "sent"
    )
    session.execute(stmt.values(values).execution_options(synchronize_session=False))
