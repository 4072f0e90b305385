"""Facebook: our Page posts' reactions, comments and shares (post fields) and their insights, each
insights metric in its own request. A metric the API calls invalid (retired) gets a gap with the
API's words and the other metrics go on; it is not asked again in this cycle. Facebook has no
hashtag search: there is no hashtag volume to collect (reports show "not available")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import cast

from campaigns.metrics import names
from campaigns.metrics.collection import Collection, TrackedPost
from campaigns.metrics.schedule import post_due
from campaigns.metrics.store import Sample, add_samples, last_observed_by_subject
from campaigns.platforms import PlatformError
from campaigns.platforms.facebook_metrics import FacebookMetricsMixin, MetricUnavailable
from campaigns.settings import SettingsError
from campaigns.store.db import session_scope


def collect_facebook_posts(
    run: Collection, posts: Sequence[TrackedPost], *, insights: dict[str, str] | None = None
) -> None:
    """``insights``: our metric -> the Graph insight (default: ``names.FACEBOOK_INSIGHT_METRICS``)."""
    if not posts:
        return
    insights = dict(names.FACEBOOK_INSIGHT_METRICS if insights is None else insights)
    with session_scope(run.ctx.engine, read_only=True) as session:
        last_read = last_observed_by_subject(session, run.slug, names.POST)
    now = run.ctx.clock()
    unavailable: dict[str, str] = {}  # insight -> the API's reason, for the rest of the cycle
    stopped: dict[str, str] = {}  # account -> why its posts are not read this cycle
    for post in posts:
        last = last_read.get(post.id)
        if not post_due(
            published_at=post.published_at,
            last_read=last,
            now=now,
            window=run.window,
            polling=run.options.polling,
        ):
            continue
        start = last or post.published_at
        run.late(post, last, now)
        if post.account in stopped:
            _gap(run, post.id, start, None, stopped[post.account])
            continue
        try:
            adapter = _adapter(run, post.account)
            fields = run.call(partial(adapter.post_fields, post.remote_id))
        except (PlatformError, SettingsError) as e:
            stopped[post.account] = run.failed(e) if isinstance(e, PlatformError) else str(e)
            _gap(run, post.id, start, None, stopped[post.account])
            continue
        if fields is None:
            _gap(run, post.id, start, None, "Facebook did not return the post (deleted, or not visible)")
            continue
        observed = run.ctx.clock()
        samples = [
            Sample(
                run.slug,
                names.FACEBOOK,
                names.POST,
                post.id,
                metric,
                value,
                observed,
                names.SOURCE_GRAPH_FIELDS,
            )
            for metric, value in fields.items()
        ]
        for metric, insight in insights.items():
            if insight in unavailable:
                _gap(run, post.id, start, metric, unavailable[insight])
                continue
            try:
                value = run.call(partial(adapter.post_insight, post.remote_id, insight))
            except MetricUnavailable as e:
                unavailable[insight] = f"not available: {e.reason}"
                run.result.note(f"Facebook insight {insight}: {e.reason}")
                _gap(run, post.id, start, metric, unavailable[insight])
                continue
            except PlatformError as e:
                _gap(run, post.id, start, metric, run.failed(e))
                continue
            if value is not None:
                samples.append(
                    Sample(
                        run.slug,
                        names.FACEBOOK,
                        names.POST,
                        post.id,
                        metric,
                        value,
                        observed,
                        names.SOURCE_GRAPH_INSIGHTS,
                    )
                )
        with session_scope(run.ctx.engine) as session:
            run.result.samples += add_samples(session, samples)
        run.result.posts_read += 1


def _gap(run: Collection, post_id: str, start: datetime, metric: str | None, reason: str) -> None:
    run.gap(
        channel=names.FACEBOOK,
        subject_type=names.POST,
        subject=post_id,
        metric=metric,
        start=start,
        end=run.ctx.clock(),
        reason=reason,
    )


def _adapter(run: Collection, account: str) -> FacebookMetricsMixin:
    # The adapters mix the metric reads in; a test may wrap one (attributes pass through).
    return cast(FacebookMetricsMixin, run.ctx.platforms.get(names.FACEBOOK, account))
