"""The end of a run: every post's final state checked against the sandbox's ground truth, and the
figures (lateness outside fault windows, recovery after each fault kind, memory slopes)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from campaigns.metrics.schedule import HOUR, Polling, overdue

FINAL = ("published", "failed", "missed", "cancelled")
RECENT = timedelta(minutes=1)  # posts published this close to the end: no metrics window judged yet
AFTER_FAULT = 10.0  # seconds after a fault's end still counted as its window for lateness


@dataclass
class Window:
    kind: str
    start: float  # epoch seconds, the harness's (the machine's) clock
    end: float


@dataclass
class Verdict:
    posts: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    lost: list[str] = field(default_factory=list)  # post ids (or sandbox ids) not accounted for
    unexplained: list[str] = field(default_factory=list)  # final without a reason, or not final
    unconfirmed: int = 0
    early: int = 0  # published over 1 s before their time (the hosts' clocks stepped forward)
    lateness: list[tuple[float, float]] = field(default_factory=list)  # (due, seconds late)
    recovery: dict[str, list[float]] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    windows: Windows | None = None  # metrics windows (judge_metrics)
    published_at: dict[str, datetime] = field(default_factory=dict)  # post id -> on the platform (its clock)
    reports: Reports | None = None  # weekly reports (count_reports)

    def late_between(self, start: float, end: float) -> list[float]:
        return [late for due, late in self.lateness if start <= due <= end]

    @property
    def ok(self) -> bool:
        windows_ok = self.windows is None or not self.windows.missing
        reports_ok = self.reports is None or not (self.reports.twice or self.reports.not_sent)
        return (
            windows_ok
            and reports_ok
            and not (self.duplicates or self.lost or self.unexplained or self.unconfirmed or self.early)
        )


def db_posts(engine: Engine) -> list[dict[str, object]]:
    query = text(
        "SELECT id, status, status_reason, text, remote_ids, scheduled_at, next_attempt_at, last_error FROM posts"
    )
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]


def judge(engine: Engine, truth: list[dict[str, object]], windows: list[Window]) -> Verdict:
    """``truth``: the sandbox's ``/_sandbox/posts`` (its created_at on the machine's clock: the
    harness leaves the sandbox's clock alone)."""
    verdict = Verdict()
    rows = db_posts(engine)
    verdict.posts = len(rows)
    by_id = {str(t["id"]): t for t in truth}
    copies = Counter((t["account_id"], t["text"]) for t in truth)
    verdict.duplicates = sum(n - 1 for n in copies.values())
    claimed: set[str] = set()
    published_at: list[tuple[datetime, datetime]] = []
    for row in rows:
        status = str(row["status"])
        verdict.statuses[status] += 1
        if status == "unconfirmed":
            verdict.unconfirmed += 1
        if status not in FINAL:
            why = f"next try {row['next_attempt_at']:%H:%M:%S}" if row["next_attempt_at"] else ""
            error = str(row["last_error"] or "")[:80]
            verdict.unexplained.append(f"{row['id']}: still {status} {why} {error}".rstrip())
            continue
        if status != "published":
            reason = str(row["status_reason"] or "")
            verdict.reasons[f"{status}: {reason[:70]}"] += 1
            if not reason:
                verdict.unexplained.append(f"{row['id']}: {status} without a reason")
            continue
        remote = list(row["remote_ids"] or [])  # type: ignore[call-overload]
        found = by_id.get(remote[0]) if remote else None
        if found is None or found["text"] != row["text"]:
            verdict.lost.append(f"{row['id']}: published, but not on the platform as recorded")
            continue
        claimed.add(remote[0])
        created = datetime.fromisoformat(str(found["created_at"]).replace("Z", "+00:00"))
        verdict.published_at[str(row["id"])] = created
        published_at.append((row["scheduled_at"], created))  # type: ignore[arg-type]
    verdict.lost += [f"sandbox {i}: on the platform, not recorded as published" for i in set(by_id) - claimed]
    inside = [(w.start, w.end + AFTER_FAULT) for w in windows]
    for due, created in published_at:
        late = (created - due).total_seconds()
        if late < -1:
            verdict.early += 1
        elif not any(a <= due.timestamp() <= b or a <= created.timestamp() <= b for a, b in inside):
            verdict.lateness.append((due.timestamp(), late))
    for window in windows:
        backlog = [c for d, c in published_at if window.start - 5 <= d.timestamp() <= window.end]
        if backlog:
            done = max(c.timestamp() for c in backlog)
            verdict.recovery.setdefault(window.kind, []).append(max(0.0, done - window.end))
    return verdict


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def slope_mb_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per hour."""
    if len(samples) < 3:
        return float("nan")
    xs, ys = zip(*samples, strict=True)
    return statistics.linear_regression(xs, ys).slope * 3600


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (a worker's pool), MB; 0 if gone."""
    total = 0
    pids = [pid] + [int(p) for p in _children(pid)]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


# --- metrics windows and weekly reports (issue 14: "every metrics window collected or marked as a
# gap; every report sent once") --------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    subject: str  # a post's id, or a hashtag ("#Faults1")
    metric: str | None  # None: every metric of the subject
    start: datetime
    end: datetime
    reason: str

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start <= end and self.end >= start


@dataclass
class Windows:
    """Metrics windows of a run: collected, recorded as a gap (by reason), or missing."""

    collected: int = 0
    gaps: Counter[str] = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)
    excluded_posts: int = 0  # published in the last minute before the end
    judged: Counter[str] = field(default_factory=Counter)  # windows looked at: "post reads", "hashtag hours"

    def add(
        self, subject: str, start: datetime, end: datetime, gaps: list[Gap], metric: str | None = None
    ) -> None:
        """A window that was not collected: explained by a gap of the subject (and metric), or missing."""
        found = [
            g for g in gaps if g.subject == subject and g.metric in (None, metric) and g.overlaps(start, end)
        ]
        if found:
            self.gaps[found[0].reason.partition(":")[0]] += 1  # grouped by what, not by the details
        else:  # the subject's latest gap tells a late gap from none at all
            latest = max((g.end for g in gaps if g.subject == subject), default=None)
            self.missing.append(
                f"{subject} {metric or ''} {start:%H:%M:%S}-{end:%H:%M:%S}".replace("  ", " ")
                + (f" (its last gap ends {latest:%H:%M:%S})" if latest else " (no gap of it)")
            )


def post_windows(
    windows: Windows,
    *,
    post: str,
    published_at: datetime,
    readings: list[datetime],
    gaps: list[Gap],
    cutoff: datetime,
    polling: Polling,
) -> None:
    """A post's windows, the collector's way (campaigns.metrics.schedule): each read that came within
    its interval (plus half a tick) of the one before, or of the publish, collected one window; a
    read later than that, or none by ``cutoff`` (a tick of grace: the collector records a missed
    window when it next reads), means a window missed, which must be covered by a gap of the post."""
    last: datetime | None = None
    for at in sorted({r for r in readings if published_at <= r <= cutoff}):
        span = overdue(published_at=published_at, last_read=last, now=at, polling=polling)
        windows.judged["post reads"] += 1
        if span is None:
            windows.collected += 1
        else:
            windows.add(post, *span, gaps)
        last = at
    tail = overdue(published_at=published_at, last_read=last, now=cutoff - polling.tick, polling=polling)
    if tail is not None:
        windows.add(post, tail[0], cutoff, gaps)


def hashtag_windows(
    windows: Windows,
    *,
    tag: str,
    metrics: tuple[str, ...],
    first_day: datetime,
    counted: set[tuple[str, str, datetime]],
    gaps: list[Gap],
    cutoff: datetime,
    tick: timedelta,
) -> None:
    """Every completed UTC hour from the campaign's first day (00:00 UTC of ``first_day``, its first
    post's date: campaigns.metrics.schedule.active_window), per metric: counted (a sample of that
    hour) or a gap. Hours that completed less than two ticks before ``cutoff`` are left out."""
    hour = datetime.combine(first_day.astimezone(UTC).date(), time(), UTC)
    while hour + HOUR + 2 * tick <= cutoff:
        for metric in metrics:
            windows.judged["hashtag hours"] += 1
            if (tag, metric, hour) in counted:
                windows.collected += 1
            else:
                windows.add(tag, hour, hour + HOUR, gaps, metric)
        hour += HOUR


ReportKey = tuple[str, str, str]  # (campaign slug or "*" for the digest, ISO week, recipient)


@dataclass
class Reports:
    due: int = 0
    once: int = 0
    twice: list[str] = field(default_factory=list)  # received more than once (due or not)
    not_sent: list[str] = field(default_factory=list)  # due, never received, no reason recorded
    explained: Counter[str] = field(default_factory=Counter)  # due, not received, with the row's reason
    unexpected: list[str] = field(default_factory=list)  # received once though not due
    disagree: list[str] = field(default_factory=list)  # received, but the database does not say sent


def count_reports(
    due: set[ReportKey], received: list[ReportKey], recorded: dict[ReportKey, tuple[str, str | None]]
) -> Reports:
    """``received``: one key per message and recipient the SMTP server got; ``recorded``: the
    report_deliveries rows (status, last_error)."""
    result = Reports(due=len(due))
    copies = Counter(received)
    for key, n in sorted(copies.items()):
        if n > 1:
            result.twice.append(f"{' '.join(key)}: {n} times")
        elif key not in due:
            result.unexpected.append(" ".join(key))
        if recorded.get(key, ("", None))[0] != "sent":
            result.disagree.append(f"{' '.join(key)}: received, recorded {recorded.get(key, ('no row',))[0]}")
    for key in sorted(due):
        if copies[key] == 1:
            result.once += 1
        elif copies[key] == 0:
            status, reason = recorded.get(key, ("no row", None))
            if status in ("failed", "interrupted") and reason:
                result.explained[f"{status}: {reason[:60]}"] += 1
            else:
                result.not_sent.append(f"{' '.join(key)}: {status}")
    return result


def judge_metrics(
    engine: Engine,
    *,
    published: dict[str, datetime],
    cutoff: datetime,
    polling: Polling,
    hashtags: dict[str, list[str]],
    metrics: tuple[str, ...],
) -> Windows:
    """The run's metrics windows from the database. ``published``: each published post's time on the
    platform (the ground truth: the service's own ``published_at`` moves with its clock, and a post
    must be read from when it really went out); ``hashtags`` by campaign name."""
    windows = Windows()
    with engine.connect() as connection:
        first = dict(
            connection.execute(
                text(
                    "SELECT campaign_slug, min(scheduled_at) FROM posts WHERE status != 'cancelled' "
                    "GROUP BY campaign_slug"
                )
            ).all()
        )
        slugs = dict(connection.execute(text("SELECT name, slug FROM campaigns")).all())
        samples = connection.execute(
            text("SELECT DISTINCT subject_type, subject, metric, observed_at FROM metric_samples")
        ).all()
        gaps = [
            Gap(r.subject, r.metric, r.window_start, r.window_end, r.reason)
            for r in connection.execute(
                text("SELECT subject, metric, window_start, window_end, reason FROM metric_gaps")
            )
        ]
    readings: dict[str, list[datetime]] = {}
    counted: set[tuple[str, str, datetime]] = set()
    for kind, subject, metric, at in samples:
        if kind == "post":
            readings.setdefault(subject, []).append(at)
        else:
            counted.add((subject, metric, at))
    for post_id, published_at in sorted(published.items()):
        if published_at > cutoff - RECENT:
            windows.excluded_posts += 1
            continue
        post_windows(
            windows, post=post_id, published_at=published_at, readings=readings.get(post_id, []), gaps=gaps,
            cutoff=cutoff, polling=polling,
        )  # fmt: skip
    for name, tags in hashtags.items():
        slug = slugs.get(name)
        if slug is None or slug not in first:
            continue
        for tag in tags:
            hashtag_windows(
                windows, tag=tag, metrics=metrics, first_day=first[slug], counted=counted, gaps=gaps,
                cutoff=cutoff, tick=polling.tick,
            )  # fmt: skip
    return windows


def judge_reports(
    engine: Engine, *, received: list[tuple[str, str, str]], weeks: list[str], recipients: list[str]
) -> Reports:
    """``received``: (campaign name or "*", week, recipient) per message and recipient the SMTP server
    got. Due: the digest of each of ``weeks`` to ``recipients``, and each campaign's report of each
    week in which it had a post published, missed or failed (the product sends none for an idle week)."""
    from campaigns.reports.weeks import parse_week

    with engine.connect() as connection:
        slugs = dict(connection.execute(text("SELECT name, slug FROM campaigns")).all())
        recorded = {
            (r.campaign, r.week, r.recipient): (r.status, r.last_error)
            for r in connection.execute(
                text("SELECT campaign, week, recipient, status, last_error FROM report_deliveries")
            )
        }
        due: set[ReportKey] = set()
        for week in weeks:
            start, end = parse_week(week).bounds("UTC")
            active = connection.execute(
                text(
                    "SELECT DISTINCT campaign_slug FROM posts WHERE status IN ('published', 'missed', 'failed') "
                    "AND scheduled_at >= :start AND scheduled_at < :end"
                ),
                {"start": start, "end": end},
            ).scalars()
            due |= {(slug, week, r) for slug in active for r in recipients}
            due |= {("*", week, r) for r in recipients}
    keys = [(slugs.get(name, name) if name != "*" else "*", week, r) for name, week, r in received]
    return count_reports(due, keys, recorded)
