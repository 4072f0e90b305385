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
    reader = _PageReads(run, dict(names.FACEBOOK_INSIGHT_METRICS if insights is None else insights))
    with session_scope(run.ctx.engine, read_only=True) as session:
        last_read = last_observed_by_subject(session, run.slug, names.POST)
    now = run.ctx.clock()
    for post in posts:
        last = last_read.get(post.id)
        if post_due(
            published_at=post.published_at,
            last_read=last,
            now=now,
            window=run.window,
            polling=run.options.polling,
        ):
            run.late(post, last, now)
            reader.read(post, last or post.published_at)


class _PageReads:
    """One cycle's reads of a campaign's Facebook posts, and what stops them: an account that
    failed, an insight the API calls invalid, or a Page whose rate-limit usage passed the ceiling.

    The Graph rate limit of a Page is shared with publishing: metrics stop reading a Page at
    ``CollectOptions.graph_usage_ceiling`` percent so that a post due never waits for reads.
    Every answer says the usage (``X-Page-Usage``), so a paused Page costs one request a cycle.
    """

    def __init__(self, run: Collection, insights: dict[str, str]) -> None:
        self.run, self.insights = run, insights
        self.unavailable: dict[str, str] = {}  # insight -> the API's reason, for the rest of the cycle
        self.stopped: dict[str, str] = {}  # account -> why its posts are not read this cycle

    def read(self, post: TrackedPost, start: datetime) -> None:
        run = self.run
        if post.account in self.stopped:
            _gap(run, post.id, start, None, self.stopped[post.account])
            return
        try:
            adapter = _adapter(run, post.account)
            fields = run.call(partial(adapter.post_fields, post.remote_id))
        except (PlatformError, SettingsError) as e:
            self.stopped[post.account] = run.failed(e) if isinstance(e, PlatformError) else str(e)
            _gap(run, post.id, start, None, self.stopped[post.account])
            return
        self._check_usage(post.account, adapter)
        if fields is None:
            _gap(run, post.id, start, None, "Facebook did not return the post (deleted, or not visible)")
            return
        observed = run.ctx.clock()
        samples = [_sample(run, post, m, v, observed, names.SOURCE_GRAPH_FIELDS) for m, v in fields.items()]
        for metric, insight in self.insights.items():
            value = self._insight(adapter, post, start, metric, insight)
            if value is not None:
                samples.append(_sample(run, post, metric, value, observed, names.SOURCE_GRAPH_INSIGHTS))
        with session_scope(run.ctx.engine) as session:
            run.result.samples += add_samples(session, samples)
        run.result.posts_read += 1

    def _insight(
        self, adapter: FacebookMetricsMixin, post: TrackedPost, start: datetime, metric: str, insight: str
    ) -> int | None:
        """One insight of the post, or None with a gap recorded for it."""
        run = self.run
        reason = self.stopped.get(post.account) or self.unavailable.get(insight)
        if reason is not None:
            _gap(run, post.id, start, metric, reason)
            return None
        try:
            value = run.call(partial(adapter.post_insight, post.remote_id, insight))
        except MetricUnavailable as e:
            self.unavailable[insight] = f"not available: {e.reason}"
            run.result.note(f"Facebook insight {insight}: {e.reason}")
            _gap(run, post.id, start, metric, self.unavailable[insight])
            return None
        except PlatformError as e:
            _gap(run, post.id, start, metric, run.failed(e))
            return None
        self._check_usage(post.account, adapter)
        return value

    def _check_usage(self, account: str, adapter: FacebookMetricsMixin) -> None:
        usage, ceiling = adapter.page_usage(), self.run.options.graph_usage_ceiling
        if usage is not None and usage >= ceiling and account not in self.stopped:
            line = (
                f"Facebook Page {account} at {usage}% of its Graph API rate limit: metrics reads paused"
                f" above {ceiling}% so that publishing keeps the rest"
            )
            self.run.result.note(line)
            self.stopped[account] = line


def _sample(
    run: Collection, post: TrackedPost, metric: str, value: int, observed: datetime, source: str
) -> Sample:
    return Sample(run.slug, names.FACEBOOK, names.POST, post.id, metric, value, observed, source)


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
