"""``/posts/{id}``: one post as each channel shows it, its image, thread, attempts and engagement so
far; ``retry``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from starlette.responses import FileResponse, RedirectResponse, Response

from campaigns.metrics import names
from campaigns.planned import CHANNELS
from campaigns.reports.post_engagement import PostEngagement, growth_chart, series
from campaigns.store.metrics_models import MetricSample
from campaigns.store.models import Attempt, Campaign, Post
from campaigns.store.queries import NotRetryable, retry_post
from campaigns.store.states import RETRYABLE
from campaigns.store.status_report import NotFound
from campaigns.text import facebook_length, tweet_length
from campaigns.web.framework import Ctx, page, safe_next

LIMITS = {"twitter": 280, "facebook": 63_206}
CHANNEL_NAMES = {"twitter": "X", "facebook": "Facebook"}


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    length: int
    limit: int

    @property
    def over(self) -> bool:
        return self.length > self.limit


def weighted(channel: str, text: str) -> Part:
    """The length as the platform counts it: twitter-text weights for X, characters for Facebook."""
    length = tweet_length(text) if channel == "twitter" else facebook_length(text)
    return Part(text, length, LIMITS.get(channel, LIMITS["facebook"]))


def siblings(post_id: str, channel: str) -> list[str]:
    """The same post's ids on the other channels (``ssw-week:d1p1:twitter`` -> ``...:facebook``)."""
    stem, _, last = post_id.rpartition(":")
    if last != channel or not stem:
        return []
    return [f"{stem}:{other}" for other in CHANNELS if other != channel]


def _post(ctx: Ctx) -> Post | None:
    return ctx.db.get(Post, ctx.request.path_params["post_id"])


def _engagement(ctx: Ctx, post: Post) -> PostEngagement:
    rows = ctx.db.exec(
        select(MetricSample.metric, MetricSample.value, MetricSample.observed_at).where(
            col(MetricSample.subject_type) == names.POST,
            col(MetricSample.subject) == post.id,
            col(MetricSample.channel) == post.channel,
        )
    ).all()
    return series(post.channel, rows)


@page("viewer")
def post_detail(ctx: Ctx) -> Response:
    post = _post(ctx)
    if post is None:
        return ctx.render("error.html", 404, title="No such post", message="There is no such post.")
    campaign = ctx.db.get(Campaign, post.campaign_slug)
    zone = ZoneInfo(campaign.timezone if campaign else "UTC")
    others = [p for p in (ctx.db.get(Post, i) for i in siblings(post.id, post.channel)) if p is not None]
    versions = [(p, [weighted(p.channel, part) for part in p.parts]) for p in [post, *others]]
    attempts = ctx.db.exec(
        select(Attempt).where(col(Attempt.post_id) == post.id).order_by(col(Attempt.number), col(Attempt.id))
    ).all()
    engagement = _engagement(ctx, post)
    return ctx.render(
        "post.html",
        title=post.id,
        engagement=engagement,
        engagement_chart=growth_chart(engagement, post.published_at) if post.published_at else None,
        post=post,
        campaign=campaign,
        zone=zone,
        versions=versions,
        attempts=attempts,
        channel_names=CHANNEL_NAMES,
        retryable=post.status in RETRYABLE,
    )


@page("viewer")
def post_image(ctx: Ctx) -> Response:
    """The post's n-th image, only from inside the specs folder (the path comes from the database)."""
    post = _post(ctx)
    number = int(ctx.request.path_params["number"])
    if post is None or not 0 <= number < len(post.media):
        return Response("no such image", 404)
    path = Path(post.media[number]["path"]).resolve()
    if not path.is_relative_to(ctx.config.specs_dir.resolve()) or not path.is_file():
        return Response("no such image", 404)
    return FileResponse(path, headers={"Cache-Control": "private, max-age=300"})


@page("editor")
def post_retry(ctx: Ctx) -> Response:
    post_id = ctx.request.path_params["post_id"]
    try:
        retry_post(session=ctx.db, post_id=post_id, now=ctx.now)
    except (NotFound, NotRetryable) as e:
        return ctx.render("error.html", 409, title="Not retried", message=str(e))
    ctx.audit("retry", post_id)
    return RedirectResponse(safe_next(ctx.form.get("back") or f"/posts/{post_id}"), status_code=303)
