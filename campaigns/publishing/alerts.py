"""Accounts that need a person: flag them once, alert once, hold their posts, notice when they work again.

The alert is a log record on the ``campaigns.alerts`` logger at ERROR level (where an operator's
log shipping or a later e-mail/Slack transport picks it up). ``claim_alert`` in the store makes
exactly one caller send it per problem, however many posts and workers run into it.

A flagged account is tried again (``Platform.check``) every ``RECHECK_EVERY``; once it answers, the
flag is cleared and its posts go out. A spent quota (X usage cap, credits) is tried hourly: the
check may pass while posting would still be refused, and then the next post flags it again, so
such an account alerts at most once an hour until someone tops it up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from campaigns.platforms import PlatformError, QuotaExhausted
from campaigns.publishing.context import Context
from campaigns.settings import SettingsError
from campaigns.store.account_states import claim_alert, clear_credentials_flag, flag_credentials
from campaigns.store.db import session_scope
from campaigns.store.pipeline import accounts_to_recheck, touch_account

alerts = logging.getLogger("campaigns.alerts")
log = logging.getLogger(__name__)

RECHECK_EVERY = timedelta(minutes=5)  # how often a flagged account's credentials are tried again
QUOTA_RECHECK_EVERY = timedelta(hours=1)


def recheck_interval(reason: str | None) -> timedelta:
    return QUOTA_RECHECK_EVERY if (reason or "").startswith(QuotaExhausted.kind) else RECHECK_EVERY


def flag_account(*, session: Session, platform: str, account: str, reason: str, now: datetime) -> bool:
    """Mark the account as needing attention; True if this caller must send the alert (the first).

    Does not commit; send the alert (``send_alert``) after the commit.
    """
    flag_credentials(session=session, platform=platform, account=account, reason=reason, now=now)
    return claim_alert(session=session, platform=platform, account=account, now=now)


def send_alert(platform: str, account: str, reason: str) -> None:
    alerts.error(
        "ALERT %s/%s needs attention: %s. Its posts are held until it works again (checked every "
        '%d min). To fix: give it valid credentials (README, "Publishing to the real platforms"), then '
        "run `campaigns accounts check`: its posts resume at once; `campaigns status` lists them.",
        platform,
        account,
        reason,
        recheck_interval(reason).total_seconds() // 60,
    )


def recheck_accounts(ctx: Context) -> list[str]:
    """Ask the platform again about each flagged account due for it; clear the flag of those that
    work now (their held posts go out from the next tick). Returns ``platform/account`` of the
    accounts cleared."""
    now = ctx.clock()
    with session_scope(ctx.engine, read_only=True) as session:
        rows = accounts_to_recheck(session=session, now=now, every=RECHECK_EVERY)
        flagged = [
            (a.platform, a.account)
            for a in rows
            if now - a.updated_at >= recheck_interval(a.attention_reason)
        ]
    cleared = []
    for platform, account in flagged:
        try:
            ctx.platforms.get(platform, account).check()
        except (PlatformError, SettingsError) as e:
            log.info("%s/%s still needs attention: %s", platform, account, e)
            with session_scope(ctx.engine) as session:
                touch_account(session=session, platform=platform, account=account, now=ctx.clock())
            continue
        with session_scope(ctx.engine) as session:
            if clear_credentials_flag(session=session, platform=platform, account=account, now=ctx.clock()):
                cleared.append(f"{platform}/{account}")
    for label in cleared:
        alerts.warning("%s works again: its held posts resume", label)
    return cleared
