"""Per-account state: rate-limit holds never shrink, credential trouble alerts exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.store.account_states import (
    account_state,
    claim_alert,
    clear_credentials_flag,
    flag_credentials,
    hold_account,
)
from tests.support.db_fixtures import NOW, run_concurrently

HOUR = timedelta(hours=1)


def test_it_records_a_rate_limit_hold_and_never_shortens_it(session: Session):
    hold_account(
        session=session, platform="twitter", account="default", until=NOW + HOUR, reason="429", now=NOW
    )
    hold_account(
        session=session,
        platform="twitter",
        account="default",
        until=NOW + 2 * HOUR,
        reason="429 again",
        now=NOW,
    )
    hold_account(session=session, platform="twitter", account="default", until=NOW, reason="stale", now=NOW)
    session.commit()

    state = account_state(session=session, platform="twitter", account="default")
    assert state is not None
    assert (state.rate_limited_until, state.rate_limit_reason) == (NOW + 2 * HOUR, "429 again")
    assert account_state(session=session, platform="facebook", account="default") is None


def test_it_keeps_when_credentials_first_failed_and_the_latest_reason(session: Session):
    flag_credentials(session=session, platform="facebook", account="default", reason="190: expired", now=NOW)
    flag_credentials(
        session=session, platform="facebook", account="default", reason="190: revoked", now=NOW + HOUR
    )
    session.commit()

    state = account_state(session=session, platform="facebook", account="default")
    assert state is not None
    assert (state.attention_needed, state.attention_since, state.attention_reason) == (
        True,
        NOW,
        "190: revoked",
    )


def test_it_sends_the_credentials_alert_once_and_again_after_a_fix(session: Session):
    assert (
        claim_alert(session=session, platform="twitter", account="default", now=NOW) is False
    )  # nothing wrong
    flag_credentials(session=session, platform="twitter", account="default", reason="401", now=NOW)

    assert claim_alert(session=session, platform="twitter", account="default", now=NOW) is True
    assert claim_alert(session=session, platform="twitter", account="default", now=NOW) is False

    assert clear_credentials_flag(session=session, platform="twitter", account="default", now=NOW) is True
    assert clear_credentials_flag(session=session, platform="twitter", account="default", now=NOW) is False
    flag_credentials(session=session, platform="twitter", account="default", reason="401", now=NOW + HOUR)
    assert claim_alert(session=session, platform="twitter", account="default", now=NOW + HOUR) is True
    session.commit()


def test_it_lets_one_of_many_concurrent_workers_send_the_alert(engine: Engine):
    with Session(engine) as setup:
        flag_credentials(session=setup, platform="twitter", account="default", reason="401", now=NOW)
        setup.commit()

    def worker(_: int, barrier: threading.Barrier) -> bool:
        with Session(engine) as session:
            barrier.wait()
            won = claim_alert(session=session, platform="twitter", account="default", now=NOW)
            session.commit()
            return won

    assert sorted(run_concurrently(4, worker)) == [False, False, False, True]
