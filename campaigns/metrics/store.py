"""Reading and writing the metrics tables. None of these commit: the caller's session does.

Samples are written with "insert ... on conflict": a post's observation (read at ``observed_at``)
is never written twice, and an hour bucket of hashtag volume is replaced by a later reading of
the same hour (a count may still change while X settles it). Gaps of the same subject, metric and
reason that follow each other are merged into one longer gap, so that a metric that stays
unavailable (or a budget that stays spent) is one row, not one per collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from campaigns.store.insert_missing import dialect_insert
from campaigns.store.metrics_models import MetricGap, MetricSample, ReadBudgetUse

_BATCH = 2000  # rows per INSERT statement (SQLite allows 32,766 bound values)


@dataclass(frozen=True, slots=True)
class Sample:
    campaign_slug: str
    channel: str
    subject_type: str
    subject: str
    metric: str
    value: int
    observed_at: datetime
    source: str


def add_samples(session: Session, samples: Sequence[Sample], *, replace: bool = False) -> int:
    """Write samples, skipping (or with ``replace``, updating) ones already stored; returns how many
    rows were written or changed."""
    insert = dialect_insert(session)
    table = MetricSample.__table__  # type: ignore[attr-defined]  # Core, not the ORM: compiled once, sent as executemany batches
    stmt = insert(table)
    key = ["campaign_slug", "channel", "subject_type", "subject", "metric", "observed_at"]
    if replace:
        stmt = stmt.on_conflict_do_update(
            index_elements=key, set_={"value": stmt.excluded.value, "source": stmt.excluded.source}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=key)
    # RETURNING counts what was written (rowcount is -1 for batched inserts on psycopg).
    returning = stmt.returning(table.c.id)
    connection = session.connection()
    written = 0
    rows = [_row(s) for s in samples]
    for start in range(0, len(rows), _BATCH):
        written += len(connection.execute(returning, rows[start : start + _BATCH]).all())
    return written


def _row(sample: Sample) -> dict[str, object]:
    return {name: getattr(sample, name) for name in Sample.__slots__}


def last_observed(session: Session, campaign_slug: str, subject_type: str) -> dict[tuple[str, str], datetime]:
    """(subject, metric) -> the latest ``observed_at`` stored, for one campaign's subjects."""
    stmt = (
        select(MetricSample.subject, MetricSample.metric, func.max(MetricSample.observed_at))
        .where(
            col(MetricSample.campaign_slug) == campaign_slug, col(MetricSample.subject_type) == subject_type
        )
        .group_by(col(MetricSample.subject), col(MetricSample.metric))
    )
    return {(subject, metric): _aware(at) for subject, metric, at in session.exec(stmt)}


def last_observed_by_subject(session: Session, campaign_slug: str, subject_type: str) -> dict[str, datetime]:
    """subject -> the latest ``observed_at`` of any of its metrics."""
    stmt = (
        select(MetricSample.subject, func.max(MetricSample.observed_at))
        .where(
            col(MetricSample.campaign_slug) == campaign_slug, col(MetricSample.subject_type) == subject_type
        )
        .group_by(col(MetricSample.subject))
    )
    return {subject: _aware(at) for subject, at in session.exec(stmt)}


def _aware(value: object) -> datetime:
    """``max()`` bypasses the column type: bring the value back to aware UTC like UTCDateTime does."""
    from campaigns.store.types import UTCDateTime

    if isinstance(value, str):  # SQLite answers an aggregate of a DateTime column as text
        value = datetime.fromisoformat(value)
    result = UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type]
    assert result is not None
    return result


def record_gap(
    session: Session,
    *,
    campaign_slug: str,
    channel: str,
    subject_type: str,
    subject: str,
    metric: str | None,
    window_start: datetime,
    window_end: datetime,
    reason: str,
    now: datetime,
) -> None:
    """Record that ``metric`` (None: all) of the subject was not collected in the window, and why.
    A gap with the same key and reason that reaches ``window_start`` is extended instead."""
    reason = " ".join(reason.split())
    stmt = select(MetricGap).where(
        col(MetricGap.campaign_slug) == campaign_slug,
        col(MetricGap.channel) == channel,
        col(MetricGap.subject_type) == subject_type,
        col(MetricGap.subject) == subject,
        col(MetricGap.metric).is_(None) if metric is None else col(MetricGap.metric) == metric,
        col(MetricGap.reason) == reason,
        col(MetricGap.window_end) >= window_start,
        col(MetricGap.window_start) <= window_end,
    )
    existing = session.exec(stmt.order_by(col(MetricGap.window_end).desc()).limit(1)).first()
    if existing is not None:
        existing.window_start = min(existing.window_start, window_start)
        existing.window_end = max(existing.window_end, window_end)
        existing.recorded_at = now
        session.add(existing)
        return
    session.add(
        MetricGap(
            campaign_slug=campaign_slug,
            channel=channel,
            subject_type=subject_type,
            subject=subject,
            metric=metric,
            window_start=window_start,
            window_end=window_end,
            reason=reason,
            recorded_at=now,
        )
    )


def gap_since(session: Session, campaign_slug: str, subject_type: str, subject: str, since: datetime) -> bool:
    """Whether a gap of the subject (any metric, any reason) reaches ``since`` or later."""
    stmt = select(func.max(MetricGap.window_end)).where(
        col(MetricGap.campaign_slug) == campaign_slug,
        col(MetricGap.subject_type) == subject_type,
        col(MetricGap.subject) == subject,
    )
    latest = session.exec(stmt).first()  # compared here: SQLite compares its stored text, not instants
    return latest is not None and _aware(latest) >= since


def gaps(session: Session, campaign_slug: str) -> list[MetricGap]:
    stmt = select(MetricGap).where(col(MetricGap.campaign_slug) == campaign_slug)
    return list(session.exec(stmt.order_by(col(MetricGap.window_start), col(MetricGap.id))))


# --- the X read budget --------------------------------------------------------------------------


def budget_use(session: Session, campaign_slug: str, channel: str, day: date, limit: int) -> ReadBudgetUse:
    """The day's row (created with ``limit`` if missing; the limit follows the setting)."""
    insert = dialect_insert(session)
    stmt = insert(ReadBudgetUse).values(
        campaign_slug=campaign_slug, channel=channel, day=day, reads=0, limit=limit, exhausted_at=None
    )
    session.exec(stmt.on_conflict_do_nothing(index_elements=["campaign_slug", "channel", "day"]))
    row = session.exec(
        select(ReadBudgetUse).where(
            col(ReadBudgetUse.campaign_slug) == campaign_slug,
            col(ReadBudgetUse.channel) == channel,
            col(ReadBudgetUse.day) == day,
        )
    ).one()
    if row.limit != limit:
        row.limit = limit
        session.add(row)
    return row


def add_reads(session: Session, row_id: int, reads: int, *, exhausted_at: datetime | None = None) -> None:
    """Count ``reads`` more (an increment in SQL: concurrent collectors add up, never overwrite)."""
    values: dict[str, object] = {"reads": col(ReadBudgetUse.reads) + reads}
    if exhausted_at is not None:
        values["exhausted_at"] = func.coalesce(col(ReadBudgetUse.exhausted_at), exhausted_at)
    session.exec(update(ReadBudgetUse).where(col(ReadBudgetUse.id) == row_id).values(**values))
