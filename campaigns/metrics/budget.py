"""A campaign's daily X read budget: X bills reads per post returned, and credits run out (402).

One row per campaign, channel and UTC day (``read_budget_use``). The collector asks how many
reads are left before each request, asks for no more posts than that, and counts what X returned
in the same transaction as the samples it wrote: a crash never leaves reads counted without their
samples, or the reverse. Once spent, collection stops cleanly until the next UTC day, and the
day's row records when (``exhausted_at``), for ``campaigns status`` and the report.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.metrics.store import add_reads, budget_use
from campaigns.store.db import session_scope


class ReadBudget:
    def __init__(
        self, engine: Engine, *, campaign_slug: str, channel: str, now: datetime, limit: int
    ) -> None:
        with session_scope(engine) as session:
            row = budget_use(session, campaign_slug, channel, now.astimezone(UTC).date(), limit)
        assert row.id is not None
        self.row_id, self.limit, self.used = row.id, limit, row.reads
        self.exhausted_at = row.exhausted_at

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def spent(self) -> bool:
        return self.remaining == 0

    def spend(self, session: Session, reads: int, now: datetime) -> None:
        """Count ``reads`` in ``session``'s transaction (with the samples they produced)."""
        self.used += reads
        exhausted = now if self.spent and self.exhausted_at is None else None
        add_reads(session, self.row_id, reads, exhausted_at=exhausted)
        self.exhausted_at = self.exhausted_at or exhausted

    def close(self, session: Session, now: datetime) -> None:
        """Too little left for any request (X's search pages hold at least 10): spent for today."""
        self.used = max(self.used, self.limit)
        if self.exhausted_at is None:
            self.exhausted_at = now
            add_reads(session, self.row_id, 0, exhausted_at=now)

    def describe(self) -> str:
        return f"{self.used:,}/{self.limit:,} X reads today"
