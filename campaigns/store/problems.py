"""Problems that need a person, read from the database: what `campaigns status`, `campaigns health`
and the alert e-mails show.

Each has a stable ``key`` (one alert per problem per hour is keyed on it), the campaigns it touches
(whose contacts hear about it), a one-line reason and what to do.

Read on the Core tables (``campaigns.store.core_tables``), from a session or a Core connection:
`campaigns status` and `campaigns health` load no SQLModel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, select, update

from campaigns.store.core_tables import ACCOUNT_STATE, POSTS, READ_BUDGET_USE, REPORT_DELIVERIES
from campaigns.store.held_accounts import WAITING
from campaigns.store.hot_path import connection_of
from campaigns.store.insert_missing import dialect_insert

if TYPE_CHECKING:
    from sqlmodel import Session

RECENT = timedelta(days=7)  # failed and missed posts older than this are history, not alerts
NEEDS_A_PERSON = ("failed", "interrupted")  # report deliveries a run no longer retries on its own


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    kind: str  # "account held" | "post failed" | "post missed" | "read budget spent" | "report not delivered"
    campaigns: tuple[str, ...]
    reason: str  # one line, no secrets
    action: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}. {self.action}"


def current_problems(
    *, session: Session | Connection, now: datetime, recent: timedelta = RECENT
) -> list[Problem]:
    connection = connection_of(session)
    return [
        *_held_accounts(connection),
        *_bad_posts(connection, now - recent),
        *_spent_budgets(connection, now),
        *_failed_deliveries(connection),
    ]


def _held_accounts(connection: Connection) -> list[Problem]:
    problems = []
    for state in connection.execute(select(ACCOUNT_STATE).where(ACCOUNT_STATE.c.attention_needed)):
        waiting = connection.execute(
            select(POSTS.c.campaign_slug, func.count())
            .where(
                POSTS.c.channel == state.platform,
                POSTS.c.account == state.account,
                POSTS.c.status.in_(WAITING),
            )
            .group_by(POSTS.c.campaign_slug)
        ).all()
        held = sum(n for _, n in waiting)
        problems.append(
            Problem(
                key=f"account:{state.platform}/{state.account}",
                kind="account held",
                campaigns=tuple(sorted(slug for slug, _ in waiting)),
                reason=f"{state.platform}/{state.account} {state.attention_reason or 'needs attention'}; "
                f"{held} post{'s' if held != 1 else ''} held",
                action="Fix its credentials or quota, then `campaigns accounts check`: held posts go out once it works",
            )
        )
    return problems


def _bad_posts(connection: Connection, since: datetime) -> list[Problem]:
    rows = connection.execute(
        select(POSTS)
        .where(POSTS.c.status.in_(("failed", "missed")), POSTS.c.updated_at >= since)
        .order_by(POSTS.c.scheduled_at)
    )
    return [
        Problem(
            key=f"post-{post.status}:{post.id}",
            kind=f"post {post.status}",
            campaigns=(post.campaign_slug,),
            reason=f"{post.id} (due {post.scheduled_at:%Y-%m-%d %H:%M} UTC): "
            + " ".join((post.status_reason or post.last_error or "no reason recorded").split())[:200],
            action=f"`campaigns retry {post.id}` sends it now, once the cause is fixed",
        )
        for post in rows
    ]


def _spent_budgets(connection: Connection, now: datetime) -> list[Problem]:
    budget = READ_BUDGET_USE.c
    rows = connection.execute(
        select(READ_BUDGET_USE).where(budget.day == now.date(), budget.exhausted_at.is_not(None))
    )
    return [
        Problem(
            key=f"budget:{row.campaign_slug}:{row.channel}:{row.day}",
            kind="read budget spent",
            campaigns=(row.campaign_slug,),
            reason=f"{row.campaign_slug} read {row.reads} of its {row.limit} {row.channel} posts for {row.day} (UTC)",
            action="Metrics pause until midnight UTC and the report shows the gap; raise the daily read budget to avoid it",
        )
        for row in rows
    ]


def failing(*, session: Session | Connection) -> list[Row[Any]]:
    """Report deliveries whose last try failed or was interrupted: a problem for a person to see."""
    stmt = select(REPORT_DELIVERIES).where(REPORT_DELIVERIES.c.status.in_(NEEDS_A_PERSON))
    return list(connection_of(session).execute(stmt.order_by(REPORT_DELIVERIES.c.updated_at)))


def _failed_deliveries(connection: Connection) -> list[Problem]:
    return [
        Problem(
            key=f"delivery:{d.campaign}:{d.week}:{d.recipient}",
            kind="report not delivered",
            campaigns=(d.campaign,),
            reason=f"the {d.week} report of {d.campaign} to {d.recipient} failed {d.attempts} time(s): {d.last_error}"
            if d.status == "failed"
            else f"the {d.week} report of {d.campaign} to {d.recipient}: {d.last_error}",
            action="Check the SMTP_* settings; it is retried every hour"
            if d.status == "failed"
            else "Ask the recipient whether it arrived; if not, Resend it from the dashboard",
        )
        for d in failing(session=connection)
    ]


ALERT_EVERY = timedelta(hours=1)


def claim_alert(
    *, session: Session, key: str, reason: str, now: datetime, every: timedelta = ALERT_EVERY
) -> bool:
    """True iff this caller should e-mail about problem ``key`` now (nobody did within ``every``).

    One conditional write: of concurrent callers at most one wins. Does not commit.
    """
    from sqlmodel import col  # here: the readers above load no SQLModel

    from campaigns.store.report_models import AlertSent

    insert = dialect_insert(session)
    created = session.exec(
        insert(AlertSent)
        .values(key=key, last_sent_at=now, reason=reason)
        .on_conflict_do_nothing()
        .returning(col(AlertSent.key))  # rowcount is not reliable for INSERT on every driver
    ).first()
    if created is not None:
        return True
    stmt = (
        update(AlertSent)
        .where(col(AlertSent.key) == key, col(AlertSent.last_sent_at) <= now - every)
        .values(last_sent_at=now, reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(session.exec(stmt).rowcount == 1)
