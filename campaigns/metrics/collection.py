"""The state of one collection cycle: what to read (``TrackedPost``), the per-campaign run that
spends the read budget and records gaps (``Collection``), and what it did (``Summary``).

Kept apart from ``collect`` so that the per-platform collectors can share it without importing
the cycle that drives them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from campaigns.metrics import names
from campaigns.metrics.budget import ReadBudget
from campaigns.metrics.schedule import ActiveWindow, Polling, overdue
from campaigns.metrics.store import gap_since, record_gap
from campaigns.platforms import PlatformError, TransientError
from campaigns.publishing.context import Context
from campaigns.store.db import session_scope

log = logging.getLogger(__name__)
NOT_READ_ON_SCHEDULE = (
    "not read on schedule: the collector did not run in time (workers, broker or database down, or busy)"
)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CollectOptions:
    polling: Polling = field(default_factory=Polling)
    x_daily_reads: int = 2000  # per campaign and UTC day
    retries: int = 2  # more tries of a request after a transient error
    retry_wait: float = 1.0  # seconds before the first retry; doubles
    # Percent of a Facebook Page's Graph rate limit (shared with publishing) above which metrics
    # stop reading the Page for the cycle: a post due must never wait for engagement reads.
    graph_usage_ceiling: int = 50


@dataclass(frozen=True, slots=True)
class TrackedPost:
    id: str  # posts.id: the sample's subject
    channel: str
    account: str
    remote_id: str  # the first part's id on the platform
    published_at: datetime


@dataclass
class CampaignResult:
    slug: str
    posts_read: int = 0
    samples: int = 0
    hours: int = 0  # hashtag hour buckets counted
    reads: int | None = None  # X reads used today / limit, when X was read
    read_limit: int | None = None
    gaps: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        if line not in self.notes:
            self.notes.append(line)


@dataclass
class Summary:
    campaigns: list[CampaignResult] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.campaigns:
            return "metrics: no active campaign"
        return "; ".join(
            f"{r.slug}: {r.posts_read} posts, {r.hours} hashtag hours, {r.samples} samples"
            + (f", {r.gaps} gaps" if r.gaps else "")
            + (f", {r.reads}/{r.read_limit} X reads" if r.reads is not None else "")
            for r in self.campaigns
        )


class Collection:
    """One campaign's collection in one cycle: the context, and the gaps and notes it records."""

    def __init__(self, ctx: Context, options: CollectOptions, slug: str, window: ActiveWindow) -> None:
        self.ctx, self.options, self.slug, self.window = ctx, options, slug, window
        self.result = CampaignResult(slug)
        self.x_stopped: str | None = None  # why no more X reads this cycle (credits, budget), if so
        self._budget: ReadBudget | None = None

    def x_budget(self) -> ReadBudget:
        """Today's X read budget of the campaign (the row is read once per cycle)."""
        if self._budget is None:
            self._budget = ReadBudget(
                self.ctx.engine,
                campaign_slug=self.slug,
                channel=names.TWITTER,
                now=self.ctx.clock(),
                limit=self.options.x_daily_reads,
            )
        self.result.reads, self.result.read_limit = self._budget.used, self._budget.limit
        return self._budget

    def budget_spent(self) -> str:
        budget = self.x_budget()
        line = f"X read budget spent ({budget.describe()}): collection stopped until tomorrow (UTC)"
        self.result.note(line)
        return line

    def call(self, request: Callable[[], T]) -> T:
        """Run one platform request, retrying transient errors with backoff; raises the last error."""
        for attempt in range(self.options.retries + 1):
            try:
                return request()
            except TransientError:
                if attempt == self.options.retries:
                    raise
                self.ctx.sleep(self.options.retry_wait * 2**attempt)
        raise AssertionError("unreachable")

    def hashtag_gap(self, tag: str, metric: str, start: datetime, end: datetime, reason: str) -> None:
        """A gap in others' use of ``tag`` on X (the only channel with hashtag volume)."""
        self.gap(
            channel=names.TWITTER, subject_type=names.HASHTAG, subject=tag, metric=metric, start=start, end=end,
            reason=reason,
        )  # fmt: skip

    def gap(
        self,
        *,
        channel: str,
        subject_type: str,
        subject: str,
        start: datetime,
        end: datetime,
        reason: str,
        metric: str | None = None,
    ) -> None:
        with session_scope(self.ctx.engine) as session:
            record_gap(
                session,
                campaign_slug=self.slug,
                channel=channel,
                subject_type=subject_type,
                subject=subject,
                metric=metric,
                window_start=min(start, end),
                window_end=end,
                reason=reason,
                now=self.ctx.clock(),
            )
        self.result.gaps += 1

    def late(self, post: TrackedPost, last_read: datetime | None, now: datetime) -> None:
        """A gap for the window(s) a post missed, when it is read (or tried) later than its interval."""
        span = overdue(
            published_at=post.published_at, last_read=last_read, now=now, polling=self.options.polling
        )
        if span is None:
            return
        with session_scope(self.ctx.engine, read_only=True) as session:
            explained = gap_since(session, self.slug, names.POST, post.id, span[0])
        if not explained:  # a failed read recorded the window already, with its own reason
            self.gap(
                channel=post.channel, subject_type=names.POST, subject=post.id, start=span[0], end=span[1],
                reason=NOT_READ_ON_SCHEDULE,
            )  # fmt: skip

    def failed(self, error: PlatformError) -> str:
        """The one-line reason a gap records (the adapters' messages carry no secret)."""
        line = str(error)
        self.result.note(line)
        log.warning("metrics %s: %s", self.slug, line)
        return line
