"""The weekly report reaches a real SMTP server (aiosmtpd, started here) once per recipient."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.reports import mail
from campaigns.reports.resend import resend
from campaigns.reports.weekly import send_weekly_reports
from campaigns.reports.weeks import Week
from campaigns.settings import Settings, load_settings
from campaigns.store.problems import failing
from campaigns.store.report_models import ReportDelivery
from tests.support.db_fixtures import add_campaign
from tests.support.report_data import add_published, add_sandbox_readings

WEEK = Week(2027, 14)
TZ = "Europe/London"
START, END = WEEK.bounds(TZ)
MONDAY_0815 = WEEK.due_at(TZ) + timedelta(minutes=15)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _settings(tmp_path: Path, port: int) -> Settings:
    return load_settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="reports@example.org",
        report_recipients="director@example.org",
        data_dir=tmp_path,
        smtp_timeout=5,
    )


def _campaign_with_a_week(session: Session, name: str = "Social Service Workforce Week") -> None:
    add_campaign(session, "ssw-week", name=name, timezone=TZ, contacts=["comms@example.org"])
    for day in range(3):
        at = START + timedelta(days=day, hours=9)
        published = add_published(
            session,
            f"ssw-week:d{day}:twitter",
            campaign="ssw-week",
            channel="twitter",
            at=at,
            theme=f"Theme {day}",
        )
        add_sandbox_readings(
            session,
            campaign="ssw-week",
            post_id=f"ssw-week:d{day}:twitter",
            channel="twitter",
            published_at=published,
            until=END,
        )


def test_each_recipient_gets_the_html_inline_charts_and_the_csv_once(
    engine: Engine, session: Session, smtp, tmp_path
):
    inbox, port = smtp
    _campaign_with_a_week(session)
    settings = _settings(tmp_path, port)

    def send(message: EmailMessage) -> None:
        mail.send(settings, message)

    first = send_weekly_reports(engine=engine, settings=settings, now=MONDAY_0815, send=send)
    again = send_weekly_reports(
        engine=engine, settings=settings, now=MONDAY_0815 + timedelta(minutes=30), send=send
    )

    assert sorted(r for rs in inbox.recipients for r in rs) == ["comms@example.org", "director@example.org"]
    assert len(first.sent) == 2 and again.sent == [] and again.archived == []
    message = inbox.messages[0]
    assert message["Subject"] == "Social Service Workforce Week: weekly report, 2027-W14"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and "impressions" in text.get_content()
    assert html is not None
    cids = {
        part["Content-ID"].strip("<>") for part in message.walk() if part.get_content_type() == "image/png"
    }
    assert "engagements-by-day" in cids and len(cids) >= 3
    assert all(f'src="cid:{cid}"' in html.get_content() for cid in cids)
    [csv_part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/csv"]
    assert csv_part.get_filename() == "ssw-week-2027-W14.csv"
    assert "headline,twitter,impressions" in csv_part.get_content()
    assert (tmp_path / "reports" / "ssw-week" / "2027-W14" / "report.html").exists()


def test_nothing_is_sent_before_monday_eight_local(engine: Engine, session: Session, smtp, tmp_path):
    inbox, port = smtp
    _campaign_with_a_week(session)
    settings = _settings(tmp_path, port)
    run = send_weekly_reports(
        engine=engine,
        settings=settings,
        now=WEEK.due_at(TZ) - timedelta(minutes=1),
        send=lambda m: mail.send(settings, m),
    )
    assert run.sent == [] and inbox.messages == []


def test_a_failed_delivery_is_recorded_and_retried_until_it_goes(
    engine: Engine, session: Session, smtp, tmp_path
):
    inbox, port = smtp
    _campaign_with_a_week(session)
    down = _settings(tmp_path, _free_port())  # nothing listens there
    failed = send_weekly_reports(
        engine=engine, settings=down, now=MONDAY_0815, send=lambda m: mail.send(down, m)
    )
    assert len(failed.failed) == 2 and inbox.messages == []
    rows = session.exec(select(ReportDelivery)).all()
    assert {r.status for r in rows} == {"failed"} and all(
        "SMTP 127.0.0.1" in (r.last_error or "") for r in rows
    )
    session.rollback()  # end the read: on SQLite an open transaction would block the job's writes

    up = _settings(tmp_path, port)
    retried = send_weekly_reports(
        engine=engine, settings=up, now=MONDAY_0815 + timedelta(minutes=30), send=lambda m: mail.send(up, m)
    )
    assert len(retried.sent) == 2 and len(inbox.messages) == 2
    session.expire_all()
    assert {(r.status, r.attempts) for r in session.exec(select(ReportDelivery))} == {("sent", 2)}


def test_a_report_archived_by_hand_is_still_sent_and_an_idle_week_is_not(
    engine: Engine, session: Session, smtp, tmp_path
):
    inbox, port = smtp
    _campaign_with_a_week(session)
    add_campaign(session, "idle", timezone=TZ, contacts=["idle@example.org"])
    session.rollback()
    settings = _settings(tmp_path, port)
    (tmp_path / "reports" / "ssw-week" / "2027-W14").mkdir(parents=True)
    (tmp_path / "reports" / "ssw-week" / "2027-W14" / "report.html").write_text("by `campaigns report`")
    run = send_weekly_reports(
        engine=engine, settings=settings, now=MONDAY_0815, send=lambda m: mail.send(settings, m)
    )
    assert sorted(r for rs in inbox.recipients for r in rs) == ["comms@example.org", "director@example.org"]
    assert "idle 2027-W14" in run.archived and not any(s.startswith("idle") for s in run.sent)


def test_the_digest_of_all_campaigns_goes_to_the_global_recipients_once(
    engine: Engine, session: Session, smtp, tmp_path
):
    inbox, port = smtp
    _campaign_with_a_week(session)
    session.rollback()
    settings = _settings(tmp_path, port)
    monday_0800_utc = WEEK.due_at("UTC")
    before = send_weekly_reports(
        engine=engine,
        settings=settings,
        now=monday_0800_utc - timedelta(minutes=1),
        send=lambda m: mail.send(settings, m),
    )
    after = send_weekly_reports(
        engine=engine, settings=settings, now=monday_0800_utc, send=lambda m: mail.send(settings, m)
    )
    again = send_weekly_reports(
        engine=engine,
        settings=settings,
        now=monday_0800_utc + timedelta(hours=1),
        send=lambda m: mail.send(settings, m),
    )
    assert not any(s.startswith("digest") for s in before.sent)
    assert after.sent == ["digest 2027-W14 director@example.org"] and again.sent == []
    digest = inbox.messages[-1]
    assert digest["Subject"] == "All campaigns: weekly digest, 2027-W14"
    html = digest.get_body(preferencelist=("html",))
    assert html is not None and "Social Service Workforce Week" in html.get_content()
    [csv_part] = list(digest.iter_attachments())
    assert csv_part.get_content().splitlines()[1].startswith("2027-W14,ssw-week,3,0,0,0,")


def test_a_line_break_in_a_campaign_name_never_makes_a_header(
    engine: Engine, session: Session, smtp, tmp_path
):
    # Specs refuse such names (campaigns.spec.characters); a row written before, or by hand, is still safe.
    inbox, port = smtp
    _campaign_with_a_week(session, name="SSW\r\nBcc: everyone@example.net\r\n\r\nFake body")
    settings = _settings(tmp_path, port)

    result = send_weekly_reports(
        engine=engine, settings=settings, now=MONDAY_0815, send=lambda m: mail.send(settings, m)
    )

    assert len(result.sent) == 2
    assert sorted(r for rs in inbox.recipients for r in rs) == ["comms@example.org", "director@example.org"]
    for message in inbox.messages:
        assert message["Bcc"] is None
        assert message["Subject"] == "SSW Bcc: everyone@example.net Fake body: weekly report, 2027-W14"


def test_an_alert_subject_is_one_line_whatever_the_reason():
    message = mail.text_message(
        subject="[campaigns] failed: X said\r\nBcc: everyone@example.net",
        body="body",
        sender="reports@example.org",
        recipients=["comms@example.org"],
    )
    parsed = email.message_from_bytes(message.as_bytes(), policy=default)
    assert parsed["Subject"] == "[campaigns] failed: X said Bcc: everyone@example.net"
    assert parsed["Bcc"] is None


def test_two_runs_at_once_send_each_report_once(engine: Engine, session: Session, smtp, tmp_path):
    """Two workers run the hourly job at once (a tick redelivered after a Redis restart, a slow
    build): the second one meets the first one's claims and sends nothing."""
    inbox, port = smtp
    _campaign_with_a_week(session)
    session.rollback()
    settings = _settings(tmp_path, port)
    second: list[Any] = []

    def send(message: EmailMessage) -> None:
        if not second:  # the other worker's run, while this one is about to talk to the server
            second.append(
                send_weekly_reports(
                    engine=engine, settings=settings, now=MONDAY_0815, send=lambda m: mail.send(settings, m)
                )
            )
        mail.send(settings, message)

    first = send_weekly_reports(engine=engine, settings=settings, now=MONDAY_0815, send=send)

    to = sorted(r for rs in inbox.recipients for r in rs)
    assert to == ["comms@example.org", "director@example.org"]
    assert len(first.sent) + len(second[0].sent) == 2


def test_a_report_the_server_accepted_before_a_crash_is_never_sent_again(
    engine: Engine, session: Session, smtp, tmp_path
):
    """The worker dies (or the database goes) between the SMTP server's "250 OK" and recording it:
    the claimed row is not owed again; once stale it is shown as interrupted, for a person."""
    inbox, port = smtp
    _campaign_with_a_week(session)
    session.rollback()
    settings = _settings(tmp_path, port)

    def send_then_crash(message: EmailMessage) -> None:
        mail.send(settings, message)
        raise ConnectionResetError("the database went away")

    with pytest.raises(ConnectionResetError):
        send_weekly_reports(engine=engine, settings=settings, now=MONDAY_0815, send=send_then_crash)
    for later in (timedelta(seconds=5), timedelta(hours=1), timedelta(hours=2)):
        send_weekly_reports(
            engine=engine, settings=settings, now=MONDAY_0815 + later, send=lambda m: mail.send(settings, m)
        )

    to = sorted(r for rs in inbox.recipients for r in rs)
    assert to.count("comms@example.org") == 1 and to.count("director@example.org") == 2, to  # + the digest
    with Session(engine) as check:
        rows = {
            r.recipient: r
            for r in check.exec(select(ReportDelivery).where(ReportDelivery.campaign == "ssw-week"))
        }
        assert rows["comms@example.org"].status == "interrupted"
        assert "may have arrived" in (rows["comms@example.org"].last_error or "")
        assert {d.recipient for d in failing(session=check)} >= {"comms@example.org"}
        interrupted = rows["comms@example.org"].id
    assert interrupted is not None

    # the recipient says it never came: a person resends it, once
    line = resend(
        engine=engine, settings=settings, delivery_id=interrupted, now=MONDAY_0815 + timedelta(hours=3),
        send=lambda m: mail.send(settings, m),
    )  # fmt: skip
    again = resend(
        engine=engine, settings=settings, delivery_id=interrupted, now=MONDAY_0815 + timedelta(hours=3),
        send=lambda m: mail.send(settings, m),
    )  # fmt: skip
    assert line.startswith("Sent") and again.startswith("Not resent"), (line, again)
    assert sum(r == "comms@example.org" for rs in inbox.recipients for r in rs) == 2
