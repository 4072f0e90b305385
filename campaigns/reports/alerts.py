"""Alerts that reach a person: each current problem e-mailed to its campaigns' contacts, at most hourly.

Recipients: the ``contacts:`` of every campaign the problem touches, and REPORT_RECIPIENTS. A problem
nobody can be told about is still shown by `campaigns status` and `campaigns health`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import Engine
from sqlmodel import select

from campaigns.reports.mail import MailError, text_message
from campaigns.settings import Settings
from campaigns.store.db import session_scope
from campaigns.store.models import Campaign
from campaigns.store.problems import Problem, claim_alert, current_problems

log = logging.getLogger(__name__)
Send = Callable[[EmailMessage], None]


@dataclass
class AlertRun:
    sent: list[str] = field(default_factory=list)  # problem keys
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"alerts: {len(self.sent)} e-mailed, {len(self.failed)} could not be sent"


def send_alerts(*, engine: Engine, settings: Settings, now: datetime, send: Send) -> AlertRun:
    run = AlertRun()
    with session_scope(engine, read_only=True) as session:
        problems = current_problems(session=session, now=now)
        contacts = {c.slug: list(c.contacts) for c in session.exec(select(Campaign))}
    for problem in problems:
        recipients = _recipients(problem, contacts, settings)
        if not recipients:
            continue
        with session_scope(engine) as session:
            if not claim_alert(session=session, key=problem.key, reason=problem.reason, now=now):
                continue
        try:
            send(_message(problem, settings.smtp_from, recipients))
        except MailError as e:
            log.warning("alert %s not e-mailed: %s", problem.key, e)
            run.failed.append(problem.key)
            continue
        run.sent.append(problem.key)
    return run


def _recipients(problem: Problem, contacts: dict[str, list[str]], settings: Settings) -> list[str]:
    addresses = [a for slug in problem.campaigns for a in contacts.get(slug, [])]
    return list(dict.fromkeys([*addresses, *settings.report_recipient_list]))


def _message(problem: Problem, sender: str, recipients: list[str]) -> EmailMessage:
    touched = ", ".join(problem.campaigns) or "no campaign yet"
    body = (
        f"{problem.kind.capitalize()} ({touched}):\n\n{problem.reason}.\n\nWhat to do: {problem.action}.\n\n"
        "`campaigns status` lists every open problem. This alert repeats at most once an hour while it lasts.\n"
    )
    return text_message(
        subject=f"[campaigns] {problem.kind}: {problem.reason}"[:200],
        body=body,
        sender=sender,
        recipients=recipients,
    )
