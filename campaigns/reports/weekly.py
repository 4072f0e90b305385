"""The Monday job: each active campaign's report for last week, archived and e-mailed once per recipient.

Run hourly by the beat (queue "metrics"). For each campaign whose Monday 08:00 local has passed, the
previous week's report is built (only if someone is still owed it), archived under DATA_DIR/reports,
and sent to every recipient not yet sent it. Idempotent: running it again sends nothing new, and of
two runs at once each message goes from the one that claimed its delivery row (committed before the
SMTP server is reached; campaigns.store.deliveries): at most once, even across crashes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from functools import partial

from sqlalchemy import Engine

from campaigns.reports.build import active_campaigns, archive_dir, build, write_files
from campaigns.reports.digest import DIGEST_TZ, digest_message
from campaigns.reports.mail import MailError, report_message
from campaigns.reports.report import build_week_report
from campaigns.reports.weeks import previous_week
from campaigns.settings import Settings
from campaigns.store.db import session_scope
from campaigns.store.deliveries import (
    claim,
    deliveries,
    ensure_deliveries,
    interrupt_stale,
    record_outcome,
    stale_after,
    unsent,
)
from campaigns.store.models import Campaign
from campaigns.store.report_models import DIGEST

log = logging.getLogger(__name__)
Send = Callable[[EmailMessage], None]


@dataclass
class WeeklyRun:
    sent: list[str] = field(default_factory=list)  # "campaign week recipient"
    failed: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"weekly reports: {len(self.sent)} sent, {len(self.failed)} failed, {len(self.archived)} archived"
        )


def recipients(campaign: Campaign, settings: Settings) -> list[str]:
    return list(dict.fromkeys([*settings.report_recipient_list, *campaign.contacts, *campaign.report_to]))


def deliver(
    *, engine: Engine, delivery_id: int, now: datetime, message: Callable[[], EmailMessage], send: Send
) -> str | None:
    """Claim the delivery, send it, record the outcome. Returns "" if another run holds it (nothing
    sent), None when sent, else the one-line error."""
    with session_scope(engine) as session:
        if not claim(session=session, delivery_id=delivery_id, now=now):
            return ""
    error = None
    try:
        send(message())
    except MailError as e:
        error = str(e)
    with session_scope(engine) as session:
        record_outcome(session=session, delivery_id=delivery_id, error=error, now=now)
    return error


def send_weekly_reports(*, engine: Engine, settings: Settings, now: datetime, send: Send) -> WeeklyRun:
    run = WeeklyRun()
    with session_scope(engine) as session:
        interrupted = interrupt_stale(
            session=session, before=now - stale_after(settings.smtp_timeout), now=now
        )
    if interrupted:
        log.warning("weekly reports: %d delivery(ies) interrupted mid-send, left for a person", interrupted)
    for campaign in active_campaigns(engine):
        week = previous_week(now, campaign.timezone)
        if now < week.due_at(campaign.timezone):
            continue
        folder = archive_dir(settings.data_dir, campaign.slug, week)
        people = recipients(campaign, settings)
        with session_scope(engine, read_only=True) as session:
            known = {d.recipient for d in deliveries(session=session, campaign=campaign.slug, week=str(week))}
            owed = unsent(session=session, campaign=campaign.slug, week=str(week))
        if not owed and known.issuperset(people) and (folder / "report.html").exists():
            continue  # archived, and everyone has it (or nobody is to be told)
        rendered = build(engine, campaign, week, now)
        write_files(rendered, folder)
        run.archived.append(f"{campaign.slug} {week}")
        if not rendered.report.has_data:
            continue  # a campaign idle that week (a yearly one, say) sends no empty report
        with session_scope(engine) as session:
            ensure_deliveries(
                session=session,
                campaign=campaign.slug,
                week=str(week),
                recipients=people,
                now=now,
            )
            owed = unsent(session=session, campaign=campaign.slug, week=str(week))
        owed_ids = [(d.id, d.recipient) for d in owed]
        for delivery_id, recipient in owed_ids:
            assert delivery_id is not None
            error = deliver(
                engine=engine,
                delivery_id=delivery_id,
                now=now,
                message=partial(report_message, rendered, sender=settings.smtp_from, recipient=recipient),
                send=send,
            )
            if error == "":
                continue  # another run claimed it
            if error:
                log.warning("weekly report %s %s to %s not sent: %s", campaign.slug, week, recipient, error)
            (run.failed if error else run.sent).append(f"{campaign.slug} {week} {recipient}")
    _send_digest(engine=engine, settings=settings, now=now, send=send, run=run)
    return run


def _send_digest(*, engine: Engine, settings: Settings, now: datetime, send: Send, run: WeeklyRun) -> None:
    """The digest of all campaigns to REPORT_RECIPIENTS, once each, from Monday 08:00 UTC."""
    people = settings.report_recipient_list
    week = previous_week(now, DIGEST_TZ)
    if not people or now < week.due_at(DIGEST_TZ):
        return
    with session_scope(engine) as session:
        ensure_deliveries(session=session, campaign=DIGEST, week=str(week), recipients=people, now=now)
        owed = [(d.id, d.recipient) for d in unsent(session=session, campaign=DIGEST, week=str(week))]
    if not owed:
        return
    campaigns = active_campaigns(engine)
    with session_scope(engine, read_only=True) as session:
        reports = [build_week_report(session, c, week, now) for c in campaigns]
    for delivery_id, recipient in owed:
        assert delivery_id is not None
        error = deliver(
            engine=engine,
            delivery_id=delivery_id,
            now=now,
            message=partial(
                digest_message, reports, week, sender=settings.smtp_from, recipient=recipient, now=now
            ),
            send=send,
        )
        if error == "":
            continue  # another run claimed it
        if error:
            log.warning("weekly digest %s to %s not sent: %s", week, recipient, error)
        (run.failed if error else run.sent).append(f"digest {week} {recipient}")
