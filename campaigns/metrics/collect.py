"""One collection cycle: for each active campaign, read the posts that are due and the hashtag
hours not counted yet, store the samples, and record a gap for whatever could not be read.

Platform errors go through the adapters' one classification. A ``TransientError`` is retried a
few times at once (backoff); if it still fails, or the platform says to wait (``RateLimited``),
or the credits or the read budget are spent, or the credentials are refused, the subjects not
read get a gap with the reason, and the next cycle tries again. Nothing is interpolated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import col, select

from campaigns.metrics import names
from campaigns.metrics.collect_facebook import collect_facebook_posts
from campaigns.metrics.collect_x import collect_x_hashtag, collect_x_posts
from campaigns.metrics.collection import Collection, CollectOptions, Summary, TrackedPost
from campaigns.metrics.schedule import ActiveWindow, Polling, active_window
from campaigns.publishing.context import Context
from campaigns.store.db import session_scope
from campaigns.store.models import Campaign, Post, PostStatus


def tracked_posts(ctx: Context, slug: str, polling: Polling) -> tuple[list[TrackedPost], ActiveWindow | None]:
    """The campaign's published posts, and its active window (None: nothing planned)."""
    with session_scope(ctx.engine, read_only=True) as session:
        rows = session.exec(
            select(Post).where(col(Post.campaign_slug) == slug, col(Post.status) != PostStatus.CANCELLED)
        ).all()
    if not rows:
        return [], None
    times = [r.scheduled_at for r in rows]
    tracked = [
        TrackedPost(r.id, r.channel, r.account, r.remote_ids[0], r.published_at)
        for r in rows
        if r.status == PostStatus.PUBLISHED and r.remote_ids and r.published_at is not None
    ]
    return tracked, active_window(min(times), max(times), polling)


def collect_metrics(
    ctx: Context,
    *,
    hashtags: Mapping[str, Sequence[str]],
    options: CollectOptions | None = None,
    campaign: str | None = None,
) -> Summary:
    """Collect what is due for every active campaign (or only ``campaign``).

    ``hashtags``: each campaign's hashtags from its spec ("#SSWWeek"); the database does not keep them.
    """
    options = options or CollectOptions()
    summary = Summary()
    with session_scope(ctx.engine, read_only=True) as session:
        stmt = select(Campaign.slug).order_by(col(Campaign.slug))
        slugs = [s for s in session.exec(stmt) if campaign is None or s == campaign]
    now = ctx.clock()
    for slug in slugs:
        posts, window = tracked_posts(ctx, slug, options.polling)
        if window is None or not window.contains(now):
            continue
        run = Collection(ctx, options, slug, window)
        summary.campaigns.append(run.result)
        collect_x_posts(run, [p for p in posts if p.channel == names.TWITTER])
        collect_facebook_posts(run, [p for p in posts if p.channel == names.FACEBOOK])
        accounts = sorted({p.account for p in posts if p.channel == names.TWITTER}) or ["default"]
        for tag in hashtags.get(slug, ()):
            collect_x_hashtag(run, tag, accounts)
    return summary
