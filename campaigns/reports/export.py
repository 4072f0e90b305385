"""Every number the report shows, as rows (CSV) and as a document (JSON); and the one-page text summary."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from campaigns.reports.charts import LABELS
from campaigns.reports.report import WeekReport

RATE_DEFINITION = "engagement rate = engagements / impressions, per channel (Facebook: media views)"
Row = tuple[
    str, str, str, float | int | str | None, float | int | str | None
]  # section, channel, item, week, previous


def rows(report: WeekReport) -> list[Row]:
    """(section, channel, item, this week, the week before): the CSV, line by line."""
    out: list[Row] = []
    for item in ("on_time", "late", "missed", "failed"):
        out.append(
            (
                "posts",
                "",
                item.replace("_", " "),
                getattr(report.delivery, item),
                getattr(report.prev_delivery, item),
            )
        )
    for c in report.channels:
        out.append(("headline", c.channel, "impressions", c.impressions, c.prev_impressions))
        out.append(("headline", c.channel, "engagements", c.engagements, c.prev_engagements))
        out.append(("headline", c.channel, "engagement rate", _round(c.rate), _round(c.prev_rate)))
        for day, value in zip(report.days, c.daily, strict=True):
            out.append(("engagements by day", c.channel, day.isoformat(), value, None))
    for h in report.hashtags:
        out.append(("hashtag", "twitter", f"{h.tag} uses by others", h.uses, h.prev_uses))
        out.append(
            (
                "hashtag",
                "twitter",
                f"{h.tag} most accounts in one hour",
                h.peak_accounts,
                h.prev_peak_accounts,
            )
        )
    out.append(("hashtag", "facebook", "uses by others", "not available", "not available"))
    for p in report.top_posts:
        out.append(("top post", p.channel, f"{p.id} impressions", p.impressions, None))
        out.append(("top post", p.channel, f"{p.id} engagements", p.engagements, None))
    for t in report.themes:
        out.append(("theme", "", f"{t.label} engagements", t.engagements, None))
        out.append(("theme", "", f"{t.label} impressions", t.impressions, None))
    for r in report.hours:
        out.append(
            ("hour posted", "", f"{r.hour:02d}:00 median rate ({r.posts} posts)", _round(r.median_rate), None)
        )
    return out


def to_csv(report: WeekReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["campaign", "week", "section", "channel", "item", "this_week", "previous_week"])
    for section, channel, item, value, previous in rows(report):
        writer.writerow(
            [report.slug, str(report.week), section, channel, item, _cell(value), _cell(previous)]
        )
    return buffer.getvalue()


def to_json(report: WeekReport) -> str:
    document: dict[str, Any] = {
        "campaign": report.slug,
        "name": report.name,
        "week": str(report.week),
        "timezone": report.timezone,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "has_data": report.has_data,
        "definitions": {"engagement_rate": RATE_DEFINITION},
        "figures": [
            {"section": s, "channel": ch, "item": i, "this_week": v, "previous_week": p}
            for s, ch, i, v, p in rows(report)
        ],
        "top_posts": [
            {
                "id": p.id,
                "channel": p.channel,
                "text": p.text,
                "url": p.url,
                "impressions": p.impressions,
                "engagements": p.engagements,
            }
            for p in report.top_posts
        ],
        "best_hour": None
        if report.best_hour is None
        else {
            "hour": report.best_hour.hour,
            "posts": report.best_hour.posts,
            "median_rate": _round(report.best_hour.median_rate),
            "note": "a suggestion from this campaign's history",
        },
        "gaps": report.gaps,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_text(report: WeekReport) -> str:
    """The plain-text part of the e-mail: the headline figures in a few lines."""
    lines = [
        f"{report.name}: week {report.week} ({report.days[0]:%d %b} - {report.days[-1]:%d %b %Y}, {report.timezone})",
        "",
    ]
    if not report.has_data:
        return "\n".join([*lines, "No posts were due and no engagement was recorded this week."]) + "\n"
    d = report.delivery
    lines.append(f"Posts: {d.on_time} on time, {d.late} late, {d.missed} missed, {d.failed} failed")
    for c in report.channels:
        rate = "n/a" if c.rate is None else f"{100 * c.rate:.2f} %"
        lines.append(
            f"{LABELS[c.channel]}: {c.impressions:,} impressions, {c.engagements:,} engagements, rate {rate}"
        )
    lines.append(f"({RATE_DEFINITION})")
    for h in report.hashtags:
        lines.append(f"{h.tag}: {h.uses:,} uses by others (up to {h.peak_accounts} accounts in one hour)")
    if report.best_hour is not None:
        lines.append(
            f"Suggestion: post around {report.best_hour.hour:02d}:00 local (best median rate so far)"
        )
    lines += ["", "The full report with charts is the HTML part of this message; the numbers are in the CSV."]
    return "\n".join(lines) + "\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 5)


def _cell(value: float | int | str | None) -> str:
    return "" if value is None else str(value)
