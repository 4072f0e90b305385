"""The report's queries: the database aggregates (GROUP BY), Python only sees a few thousand rows.

A campaign with a million samples is read in one pass over its post samples (largest value per post,
metric and bucket) and one over its hashtag samples of the two weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlmodel import Session, col

from campaigns.metrics.names import ENGAGEMENT_PARTS, HASHTAG, IMPRESSIONS, POST
from campaigns.reports.figures import Cumulative, carry_forward
from campaigns.store.metrics_models import MetricGap, MetricSample
from campaigns.store.models import Post

HISTORY = timedelta(weeks=8)  # read before the previous week: baselines, and the best hour's posts


def post_cumulative(session: Session, slug: str, bounds: list[datetime]) -> Cumulative:
    """Counts per post and metric at the end of each bucket; ``bounds``: the 15 bucket ends, ascending
    (bucket 0 is everything before bounds[0]).

    Two GROUP BY queries, both finding their rows by time (``ix_metric_samples_window``): the
    ``HISTORY`` before the two weeks (one bucket: the largest reading), and the two weeks by local
    day. A post last read before that history neither grows in the two weeks nor counts towards
    the best hour: the collector reads a post for its first days only, so this leaves out posts
    of campaigns long over, and keeps a report's cost bounded however long a campaign has run.
    """
    observed = col(MetricSample.observed_at)
    wanted = sorted({m for parts in ENGAGEMENT_PARTS.values() for m in parts} | set(IMPRESSIONS.values()))
    keys = (col(MetricSample.channel), col(MetricSample.subject), col(MetricSample.metric))
    ours = (
        col(MetricSample.campaign_slug) == slug,
        col(MetricSample.subject_type) == POST,
        col(MetricSample.metric).in_(wanted),
    )
    history = (
        select(*keys, literal(0), func.max(col(MetricSample.value)))
        .where(*ours, observed >= bounds[0] - HISTORY, observed < bounds[0])
        .group_by(*keys)
    )
    bucket = case(
        *[(observed < bound, literal(k + 1)) for k, bound in enumerate(bounds[1:-1])],
        else_=literal(len(bounds) - 1),
    ).label("bucket")
    window = (
        select(*keys, bucket, func.max(col(MetricSample.value)))
        .where(*ours, observed >= bounds[0], observed < bounds[-1])
        .group_by(*keys, bucket)
    )
    rows = [*session.execute(history), *session.execute(window)]
    return carry_forward(((ch, s, m, int(b), int(v)) for ch, s, m, b, v in rows), buckets=len(bounds))


def hashtag_counts(
    session: Session, slug: str, start: datetime, end: datetime
) -> list[tuple[str, str, datetime, int]]:
    """(hashtag, metric, hour start, count) of [start, end), summed over channels."""
    observed = col(MetricSample.observed_at)
    stmt = (
        select(
            col(MetricSample.subject), col(MetricSample.metric), observed, func.sum(col(MetricSample.value))
        )
        .where(
            col(MetricSample.campaign_slug) == slug,
            col(MetricSample.subject_type) == HASHTAG,
            observed >= start,
            observed < end,
        )
        .group_by(col(MetricSample.subject), col(MetricSample.metric), observed)
    )
    return [(tag, metric, at, int(total)) for tag, metric, at, total in session.execute(stmt)]


def post_readings(
    session: Session, slug: str, post_ids: list[str], since: datetime, until: datetime
) -> list[tuple[str, str, datetime, int]]:
    """Every reading (post, metric, observed_at, value) of these posts in [since, until] (growth curves)."""
    if not post_ids:
        return []
    stmt = select(
        col(MetricSample.subject),
        col(MetricSample.metric),
        col(MetricSample.observed_at),
        col(MetricSample.value),
    ).where(
        col(MetricSample.campaign_slug) == slug,
        col(MetricSample.subject_type) == POST,
        col(MetricSample.subject).in_(post_ids),
        col(MetricSample.observed_at) >= since,  # by time: the window index, not the campaign's history
        col(MetricSample.observed_at) <= until,
    )
    return [(s, m, at, int(v)) for s, m, at, v in session.execute(stmt)]


@dataclass(frozen=True, slots=True)
class PostRow:
    id: str
    channel: str
    text: str
    url: str | None
    theme: str | None
    day: int
    status: str
    scheduled_at: datetime
    published_at: datetime | None


def campaign_posts(session: Session, slug: str, until: datetime) -> list[PostRow]:
    """The campaign's posts scheduled before ``until`` (history for the best hour, this week's fate)."""
    stmt = select(
        col(Post.id),
        col(Post.channel),
        col(Post.text),
        col(Post.remote_url),
        col(Post.theme),
        col(Post.day),
        col(Post.status),
        col(Post.scheduled_at),
        col(Post.published_at),
    ).where(col(Post.campaign_slug) == slug, col(Post.scheduled_at) < until)
    return [PostRow(*row) for row in session.execute(stmt)]


def gaps_in(session: Session, slug: str, start: datetime, end: datetime) -> list[MetricGap]:
    """The collector's recorded gaps that overlap [start, end), oldest first."""
    stmt = (
        select(MetricGap)
        .where(
            col(MetricGap.campaign_slug) == slug,
            and_(col(MetricGap.window_start) < end, col(MetricGap.window_end) > start),
        )
        .order_by(col(MetricGap.window_start))
    )
    return list(session.scalars(stmt))


def has_samples(session: Session, slug: str, start: datetime, end: datetime) -> bool:
    observed = col(MetricSample.observed_at)
    stmt = select(col(MetricSample.id)).where(
        col(MetricSample.campaign_slug) == slug, or_(and_(observed >= start, observed < end))
    )
    return session.execute(stmt.limit(1)).first() is not None
