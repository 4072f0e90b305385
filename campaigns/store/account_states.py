"""Per-account platform state: rate-limit holds and credentials that need a person's attention.

A held account's posts stay ``scheduled``; the dispatcher skips them until the hold ends. Which
accounts are held, and the posts they hold back, is read by ``campaigns.store.held_accounts``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, col, or_

from campaigns.store.insert_missing import insert_missing
from campaigns.store.models import AccountState


def _ensure_row(session: Session, platform: str, account: str, now: datetime) -> None:
    row = {"platform": platform, "account": account, "attention_needed": False, "updated_at": now}
    session.exec(insert_missing(session, AccountState, row))


def _where(platform: str, account: str) -> ColumnElement[bool]:
    return and_(col(AccountState.platform) == platform, col(AccountState.account) == account)


def account_state(*, session: Session, platform: str, account: str) -> AccountState | None:
    return session.get(AccountState, (platform, account))


def hold_account(
    *, session: Session, platform: str, account: str, until: datetime, reason: str, now: datetime
) -> None:
    """Send nothing from this account before ``until`` (a rate limit's reset). Never shortens a hold."""
    _ensure_row(session, platform, account, now)
    session.exec(
        update(AccountState)
        .where(_where(platform, account))
        .where(
            or_(col(AccountState.rate_limited_until).is_(None), col(AccountState.rate_limited_until) < until)
        )
        .values(rate_limited_until=until, rate_limit_reason=reason, updated_at=now)
    )


def flag_credentials(*, session: Session, platform: str, account: str, reason: str, now: datetime) -> None:
    """Stop sending from this account until ``clear_credentials_flag``; keeps the first ``since``."""
    _ensure_row(session, platform, account, now)
    session.exec(
        update(AccountState)
        .where(_where(platform, account), col(AccountState.attention_needed).is_(False))
        .values(attention_needed=True, attention_since=now, updated_at=now)
    )
    session.exec(
        update(AccountState).where(_where(platform, account)).values(attention_reason=reason, updated_at=now)
    )


def claim_alert(*, session: Session, platform: str, account: str, now: datetime) -> bool:
    """True for exactly one caller per credentials problem: that caller sends the alert."""
    result = session.exec(
        update(AccountState)
        .where(_where(platform, account), col(AccountState.attention_needed).is_(True))
        .where(col(AccountState.alert_sent_at).is_(None))
        .values(alert_sent_at=now, updated_at=now)
    )
    return result.rowcount == 1


def clear_credentials_flag(*, session: Session, platform: str, account: str, now: datetime) -> bool:
    """The credentials work again: resume sending, and alert again if they fail later. True if flagged."""
    result = session.exec(
        update(AccountState)
        .where(_where(platform, account), col(AccountState.attention_needed).is_(True))
        .values(
            attention_needed=False,
            attention_since=None,
            attention_reason=None,
            alert_sent_at=None,
            updated_at=now,
        )
    )
    return result.rowcount == 1
