"""Weekly report deliveries: one row per (campaign, week, recipient), so a report goes once per person.

A row is created ``pending`` before the first try; ``sent`` is recorded right after the SMTP server
accepted the message. A crash between the two sends that one message again at the next tick (at
least once, never more often than that window allows). Failures stay ``failed`` with their reason
and are retried hourly, up to ``MAX_ATTEMPTS``; ``campaigns status`` and ``health`` show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaigns.store.insert_missing import dialect_insert
from campaigns.store.report_models import ReportDelivery

MAX_ATTEMPTS = 24  # hourly: a day of retries, then it waits for a person (see `campaigns status`)


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
        col(ReportDelivery.status) != "sent",
        col(ReportDelivery.attempts) < MAX_ATTEMPTS,
    )
    return list(session.exec(stmt.order_by(col(ReportDelivery.recipient))))


def record_attempt(*, session: Session, delivery_id: int, error: str | None, now: datetime) -> None:
    """The outcome of one try: sent (``error`` None) or failed with its one-line reason."""
    values: dict[str, object] = {"attempts": ReportDelivery.attempts + 1, "updated_at": now}
    values.update(
        {"status": "sent", "sent_at": now, "last_error": None}
        if error is None
        else {"status": "failed", "last_error": error}
    )
    stmt = update(ReportDelivery).where(
        col(ReportDelivery.id) == delivery_id, col(ReportDelivery.status) != "sent"
    )
    session.execute(stmt.values(values).execution_options(synchronize_session=False))


def failing(*, session: Session) -> list[ReportDelivery]:
    """Deliveries whose last try failed: a problem for a person to see."""
    stmt = select(ReportDelivery).where(col(ReportDelivery.status) == "failed")
    return list(session.exec(stmt.order_by(col(ReportDelivery.updated_at))))
