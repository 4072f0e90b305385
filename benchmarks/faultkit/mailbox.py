"""The weekly reports of a run: a real SMTP server that receives them, and the knob that makes one due.

- ``Mailbox``: an aiosmtpd server on a free port in the harness's process; the service's
  ``SMTP_*`` settings point at it, so reports (and alerts) are really e-mailed. It keeps, per
  message, its subject and envelope recipients.
- ``CAMPAIGNS_FAULTS_REPORTS`` (``every,due_at``; read by ``launch``): the beat's weekly-reports
  entry runs every ``every`` seconds instead of hourly, and the weekly job sees its ``now`` shifted
  so that Monday 08:00 UTC (the reports' due moment for the run's UTC campaigns) falls at
  ``due_at`` (epoch seconds, during the run): the week of the run falls due mid-run. Only that job's
  ``now`` moves; production defaults are untouched.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.policy import default
from typing import Any

from benchmarks.faultkit.services import free_port

REPORTS_VAR = "CAMPAIGNS_FAULTS_REPORTS"
REPORT_SUBJECT = re.compile(r"^(?P<name>.*): weekly report, (?P<week>\d{4}-W\d{2})$")
DIGEST_SUBJECT = re.compile(r"^All campaigns: weekly digest, (?P<week>\d{4}-W\d{2})$")


def report_lead(due_at: float) -> timedelta:
    """How far the weekly job's clock runs ahead so that its Monday 08:00 UTC is ``due_at``."""
    from campaigns.reports.weeks import week_at

    moment = datetime.fromtimestamp(due_at, UTC)
    return week_at(moment, "UTC").due_at("UTC") - moment


def shift_reports(spec: str) -> None:
    """In a worker or beat (``launch``): the weekly-reports tick every ``every`` s, its clock ahead."""
    import campaigns.reports.weekly
    from worker.app import app

    every, due_at = (float(x) for x in spec.split(","))
    schedule = dict(app.conf.beat_schedule)
    entry = "weekly-reports"
    schedule[entry] = {**schedule[entry], "schedule": every, "options": {"expires": every * 0.9}}
    app.conf.beat_schedule = schedule
    lead = report_lead(due_at)
    original = campaigns.reports.weekly.send_weekly_reports

    def shifted(*, now: datetime, **kwargs: Any) -> Any:
        return original(now=now + lead, **kwargs)

    # worker.report_tasks imports it from the module at each run: the shifted one
    campaigns.reports.weekly.send_weekly_reports = shifted  # type: ignore[assignment]


@dataclass(frozen=True)
class Received:
    subject: str
    recipients: tuple[str, ...]
    at: float

    def report_key(self) -> tuple[str, str] | None:
        """(campaign name, week) of a weekly report; ("*", week) of the digest; None otherwise (alerts)."""
        if found := REPORT_SUBJECT.match(self.subject):
            return found["name"], found["week"]
        if found := DIGEST_SUBJECT.match(self.subject):
            return "*", found["week"]
        return None


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, in this process; ``received`` grows as mail comes."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[Received] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import time

        message = email.message_from_bytes(envelope.content, policy=default)
        subject = " ".join(str(message["Subject"] or "").split())
        self.received.append(Received(subject, tuple(envelope.rcpt_tos), time.time()))
        return "250 OK"

    def env(self) -> dict[str, str]:
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.port),
            "SMTP_STARTTLS": "false",
            "SMTP_FROM": "reports@faults.example.org",
            "SMTP_TIMEOUT": "5",
        }

    def stop(self) -> None:
        self.controller.stop()
