"""Problems that need a person: listed by status and health, e-mailed to contacts at most hourly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.cli import cli
from campaigns.commands import database
from campaigns.health import check_health
from campaigns.reports.alerts import send_alerts
from campaigns.settings import get_settings, load_settings
from campaigns.store.account_states import flag_credentials
from campaigns.store.deliveries import ensure_deliveries, record_attempt, unsent
from campaigns.store.metrics_models import ReadBudgetUse
from campaigns.store.problems import claim_alert, current_problems
from tests.support.db_fixtures import add_campaign, add_post

NOW = datetime(2027, 4, 7, 12, tzinfo=UTC)


def _trouble(session: Session) -> None:
    add_campaign(session, "ssw-week", contacts=["comms@example.org"])
    add_post(
        session,
        "ssw-week:d1p1:twitter",
        at=NOW - timedelta(hours=3),
        status="failed",
        status_reason="403 duplicate content",
    )
    add_post(
        session, "ssw-week:d1p2:facebook", at=NOW - timedelta(hours=1), channel="facebook", account="page"
    )
    flag_credentials(
        session=session, platform="facebook", account="page", reason="credentials rejected (401)", now=NOW
    )
    session.add(
        ReadBudgetUse(
            campaign_slug="ssw-week",
            channel="twitter",
            day=date(2027, 4, 7),
            reads=2000,
            limit=2000,
            exhausted_at=NOW,
        )
    )
    ensure_deliveries(
        session=session, campaign="ssw-week", week="2027-W13", recipients=["boss@example.org"], now=NOW
    )
    session.commit()
    [delivery] = unsent(session=session, campaign="ssw-week", week="2027-W13")
    assert delivery.id is not None
    record_attempt(
        session=session,
        delivery_id=delivery.id,
        error="SMTP mail.example.org:587: Connection refused",
        now=NOW,
    )
    session.commit()


def test_every_kind_of_problem_is_found_with_what_to_do(session: Session):
    _trouble(session)
    problems = {p.key: p for p in current_problems(session=session, now=NOW)}
    assert set(problems) == {
        "account:facebook/page",
        "post-failed:ssw-week:d1p1:twitter",
        "budget:ssw-week:twitter:2027-04-07",
        "delivery:ssw-week:2027-W13:boss@example.org",
    }
    held = problems["account:facebook/page"]
    assert (
        held.campaigns == ("ssw-week",)
        and "1 post held" in held.reason
        and "credentials rejected" in held.reason
    )
    assert "campaigns retry ssw-week:d1p1:twitter" in str(problems["post-failed:ssw-week:d1p1:twitter"])
    assert all("\n" not in str(p) for p in problems.values())


def test_old_failures_are_history_not_problems(session: Session):
    add_campaign(session, "ssw-week")
    add_post(
        session, "old", at=NOW - timedelta(days=30), status="missed", updated_at=NOW - timedelta(days=29)
    )
    assert current_problems(session=session, now=NOW) == []


def test_an_alert_is_claimed_at_most_once_an_hour(session: Session):
    assert claim_alert(session=session, key="k", reason="r", now=NOW)
    assert not claim_alert(session=session, key="k", reason="r", now=NOW + timedelta(minutes=59))
    assert claim_alert(session=session, key="k", reason="r", now=NOW + timedelta(minutes=60))


def test_contacts_are_emailed_each_problem_once_an_hour(engine: Engine, session: Session, tmp_path):
    _trouble(session)
    session.rollback()
    outbox: list[EmailMessage] = []
    settings = load_settings(smtp_host="127.0.0.1", data_dir=tmp_path, report_recipients="ops@example.org")
    first = send_alerts(engine=engine, settings=settings, now=NOW, send=outbox.append)
    soon = send_alerts(engine=engine, settings=settings, now=NOW + timedelta(minutes=30), send=outbox.append)
    later = send_alerts(engine=engine, settings=settings, now=NOW + timedelta(minutes=61), send=outbox.append)
    assert len(first.sent) == 4 and soon.sent == [] and len(later.sent) == 4
    held = next(m for m in outbox if "account held" in m["Subject"])
    assert held["To"] == "comms@example.org, ops@example.org"
    assert "What to do: Fix its credentials" in held.get_content()


def test_status_lists_them_and_health_is_red(
    engine: Engine, session: Session, db_url: str, monkeypatch: pytest.MonkeyPatch
):
    _trouble(session)
    session.rollback()
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(database, "utcnow", lambda: NOW)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["status"], catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Needs a person (4):" in result.output
    assert "- account held: facebook/page credentials rejected (401); 1 post held." in result.output

    health = check_health(engine=engine, now=NOW, ping=lambda: ["w1"], ping_timeout=1, problems=True)
    problems = next(c for c in health.checks if c.name == "problems")
    assert not health.ok and not problems.ok and "(+3 more: `campaigns status`)" in problems.detail
    without = check_health(engine=engine, now=NOW, ping=lambda: ["w1"], ping_timeout=1)
    assert "problems" not in {c.name for c in without.checks}
