"""Today's X read budget per campaign, as `campaigns status` shows it (the budget is spent and
recorded by ``campaigns.metrics.store``). Read on the Core tables: the command loads no SQLModel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from campaigns.store.core_tables import READ_BUDGET_USE
from campaigns.store.hot_path import connection_of

if TYPE_CHECKING:
    from sqlmodel import Session


def budget_rows(
    session: Session | Connection, day: date, slugs: Iterable[str] | None = None
) -> list[Row[Any]]:
    """The read budget rows of ``day`` (of the campaigns ``slugs`` only, if given), by campaign and channel."""
    budget = READ_BUDGET_USE.c
    stmt = select(READ_BUDGET_USE).where(budget.day == day)
    if slugs is not None:
        stmt = stmt.where(budget.campaign_slug.in_(list(slugs)))
    return list(connection_of(session).execute(stmt.order_by(budget.campaign_slug, budget.channel)))
