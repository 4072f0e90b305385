"""The weekly digest of every campaign: one table of headline figures, for REPORT_RECIPIENTS.

The digest's week is the ISO week in UTC; each campaign's figures are for that ISO week in its own
timezone. Sent on Monday from 08:00 UTC, once per recipient (``report_deliveries`` with campaign
``DIGEST``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from campaigns.reports.figures import engagement_rate
from campaigns.reports.html import _ENV, pct
from campaigns.reports.report import WeekReport
from campaigns.reports.weeks import Week

DIGEST_TZ = "UTC"


def _impressions(report: WeekReport) -> int:
    return sum(c.impressions for c in report.channels)


def _engagements(report: WeekReport) -> int:
    return sum(c.engagements for c in report.channels)


def _rate(report: WeekReport) -> float | None:
    return engagement_rate(_engagements(report), _impressions(report))


def _uses(report: WeekReport) -> int:
    return sum(h.uses for h in report.hashtags)


def digest_html(reports: Sequence[WeekReport], week: Week) -> str:
    return _ENV.get_template("digest.html").render(
        week=week,
        reports=[r for r in reports if r.has_data],
        impressions=_impressions,
        engagements=_engagements,
        rate=_rate,
        uses=_uses,
        pct=pct,
    )


def digest_csv(reports: Sequence[WeekReport], week: Week) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "week",
            "campaign",
            "on_time",
            "late",
            "missed",
            "failed",
            "impressions",
            "engagements",
            "hashtag_uses",
        ]
    )
    for r in reports:
        if r.has_data:
            d = r.delivery
            writer.writerow(
                [
                    str(week),
                    r.slug,
                    d.on_time,
                    d.late,
                    d.missed,
                    d.failed,
                    _impressions(r),
                    _engagements(r),
                    _uses(r),
                ]
            )
    return buffer.getvalue()


def digest_message(
    reports: Sequence[WeekReport], week: Week, *, sender: str, recipient: str, now: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"All campaigns: weekly digest, {week}"
    message["From"], message["To"], message["Date"] = sender, recipient, format_datetime(now)
    active = [r for r in reports if r.has_data]
    lines = [f"All campaigns, week {week}:", ""]
    lines += [f"- {r.name}: {_impressions(r):,} impressions, {_engagements(r):,} engagements" for r in active]
    message.set_content("\n".join(lines or ["No campaign had posts or engagement this week."]) + "\n")
    message.add_alternative(digest_html(reports, week), subtype="html")
    message.add_attachment(digest_csv(reports, week).encode(), "text", "csv", filename=f"digest-{week}.csv")
    return message
