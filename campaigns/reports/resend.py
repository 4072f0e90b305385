"""Send one undelivered weekly report again now: the dashboard's "Resend" on a failed delivery.

The hourly job retries failed deliveries of last week by itself; this is for a person who fixed the
SMTP settings, or a recipient's address, and does not want to wait, or who checked that a delivery
``interrupted`` mid-send never arrived. Same message, same bookkeeping (the row claimed before the
send): a report already sent, or being sent, is never sent twice from here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from campaigns.reports.build import build, find_campaign
from campaigns.reports.mail import MailError, report_message
from campaigns.reports.weekly import Send
from campaigns.reports.weeks import parse_week
from campaigns.settings import Settings
from campaigns.store.db import session_scope
from campaigns.store.deliveries import RETRIED, claim, record_outcome
from campaigns.store.problems import NEEDS_A_PERSON
from campaigns.store.report_models import DIGEST, ReportDelivery


def resend(*, engine: Engine, settings: Settings, delivery_id: int, now: datetime, send: Send) -> str:
    """One line saying how it went."""
    with session_scope(engine, read_only=True) as session:
        delivery = session.get(ReportDelivery, delivery_id)
        if delivery is None:
            return "There is no such report delivery."
        slug, week, recipient, status = delivery.campaign, delivery.week, delivery.recipient, delivery.status
    what = f"the {week} report of {slug} to {recipient}"
    if status == "sent":
        return f"Not resent: {what} was already delivered."
    if status == "sending":
        return f"Not resent: {what} is being sent right now."
    if slug == DIGEST:
        return f"Not resent: {what} is sent again by the next hourly run."
    rendered = build(engine, find_campaign(engine, slug), parse_week(week), now)
    with session_scope(engine) as session:
        statuses = (*RETRIED, *NEEDS_A_PERSON)
        if not claim(session=session, delivery_id=delivery_id, now=now, statuses=statuses):
            return f"Not resent: {what} was sent or claimed meanwhile."
    error = None
    try:
        send(report_message(rendered, sender=settings.smtp_from, recipient=recipient))
    except MailError as e:
        error = str(e)
    with session_scope(engine) as session:
        record_outcome(session=session, delivery_id=delivery_id, error=error, now=now)
    return f"Sent {what}." if error is None else f"Still not delivered, {what}: {error}"
