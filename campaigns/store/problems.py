"""Problems that need a person, read from the database: what `campaigns status`, `campaigns health`
and the alert e-mails show.

Each has a stable ``key`` (one alert per problem per hour is keyed on it), the campaigns it touches
(whose contacts hear about it), a one-line reason and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from campaigns.store.deliveries import failing
from campaigns.store.insert_missing import dialect_insert
from campaigns.store.metrics_models import ReadBudgetUse
from campaigns.store.models import AccountState, Post
from campaigns.store.report_models import AlertSent

RECENT = timedelta(days=7)  # failed and missed posts older than this are history, not alerts
WAITING = ("scheduled", "claimed")


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    kind: str  # "account held" | "post failed" | "post missed" | "read budget spent" | "report not delivered"
    campaigns: tuple[str, ...]
    reason: str  # one line, no secrets
    action: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}. {self.action}"


def current_problems(*, session: Session, now: datetime, recent: timedelta = RECENT) -> list[Problem]:
    return [
        *_held_accounts(session),
        *_bad_posts(session, now - recent),
        *_spent_budgets(session, now),
        *_failed_deliveries(session),
    ]


def _held_accounts(session: Session) -> list[Problem]:
    problems = []
    for state in session.exec(select(AccountState).where(col(AccountState.attention_needed))):
        waiting = session.exec(
            select(col(Post.campaign_slug), func.count())
            .where(
                col(Post.channel) == state.platform,
                col(Post.account) == state.account,
                col(Post.status).in_(WAITING),
            )
            .group_by(col(Post.campaign_slug))
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


def _bad_posts(session: Session, since: datetime) -> list[Problem]:
    rows = session.exec(
        select(Post)
        .where(col(Post.status).in_(("failed", "missed")), col(Post.updated_at) >= since)
        .order_by(col(Post.scheduled_at))
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


def _spent_budgets(session: Session, now: datetime) -> list[Problem]:
    rows = session.exec(
        select(ReadBudgetUse).where(
            col(ReadBudgetUse.day) == now.date(), col(ReadBudgetUse.exhausted_at).is_not(None)
        )
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


def _failed_deliveries(session: Session) -> list[Problem]:
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
        for d in failing(session=session)
    ]


ALERT_EVERY = timedelta(hours=1)


def claim_alert(
    *, session: Session, key: str, reason: str, now: datetime, every: timedelta = ALERT_EVERY
) -> bool:
    """True iff this caller should e-mail about problem ``key`` now (nobody did within ``every``).

    One conditional write: of concurrent callers at most one wins. Does not commit.
    """
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
