"""X: our posts' ``public_metrics`` (100 ids a request) and others' use of the campaign hashtags
(hourly counts, and distinct authors from recent search), within the campaign's read budget."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import cast

from campaigns.metrics import names
from campaigns.metrics.collection import Collection, TrackedPost
from campaigns.metrics.schedule import HourRange, floor_hour, hashtag_hours, post_due
from campaigns.metrics.store import Sample, add_samples, last_observed, last_observed_by_subject
from campaigns.platforms import PlatformError, QuotaExhausted
from campaigns.platforms.twitter_metrics import MAX_IDS, TwitterMetricsMixin
from campaigns.settings import SettingsError
from campaigns.store.db import session_scope

MIN_SEARCH_PAGE = 10  # X's smallest max_results


def collect_x_posts(run: Collection, posts: Sequence[TrackedPost]) -> None:
    if not posts:
        return
    with session_scope(run.ctx.engine, read_only=True) as session:
        last_read = last_observed_by_subject(session, run.slug, names.POST)
    now = run.ctx.clock()
    due = [
        p
        for p in posts
        if post_due(
            published_at=p.published_at,
            last_read=last_read.get(p.id),
            now=now,
            window=run.window,
            polling=run.options.polling,
        )
    ]
    by_account: dict[str, list[TrackedPost]] = defaultdict(list)
    for post in due:
        run.late(post, last_read.get(post.id), now)
        by_account[post.account].append(post)
    for account, pending in sorted(by_account.items()):
        _read_account(run, account, pending, last_read)


def _read_account(
    run: Collection, account: str, pending: list[TrackedPost], last_read: dict[str, datetime]
) -> None:
    def gaps_for(items: Sequence[TrackedPost], reason: str) -> None:
        end = run.ctx.clock()
        for item in items:
            start = last_read.get(item.id, item.published_at)
            run.gap(
                channel=names.TWITTER,
                subject_type=names.POST,
                subject=item.id,
                start=start,
                end=end,
                reason=reason,
            )

    try:
        adapter = _adapter(run, account)
    except SettingsError as e:
        return gaps_for(pending, str(e))
    budget = run.x_budget()
    while pending:
        if run.x_stopped:
            return gaps_for(pending, run.x_stopped)
        if budget.spent:
            run.x_stopped = run.budget_spent()
            continue
        batch = pending[: min(MAX_IDS, budget.remaining)]
        try:
            found = run.call(partial(adapter.public_metrics, [p.remote_id for p in batch]))
        except QuotaExhausted as e:
            run.x_stopped = run.failed(e)
            continue
        except PlatformError as e:
            return gaps_for(pending, run.failed(e))
        now = run.ctx.clock()
        samples = [
            Sample(
                run.slug,
                names.TWITTER,
                names.POST,
                p.id,
                metric,
                found[p.remote_id].get(key, 0),
                now,
                names.SOURCE_X_TWEETS,
            )
            for p in batch
            if p.remote_id in found
            for metric, key in names.TWITTER_POST_METRICS.items()
        ]
        with session_scope(run.ctx.engine) as session:
            run.result.samples += add_samples(session, samples)
            budget.spend(session, len(found), now)
        run.result.posts_read += len(found)
        run.result.reads = budget.used
        gaps_for(
            [p for p in batch if p.remote_id not in found],
            "X did not return the post (deleted, or not visible)",
        )
        pending = pending[len(batch) :]
    return None


def _adapter(run: Collection, account: str) -> TwitterMetricsMixin:
    # The adapters mix the metric reads in; a test may wrap one (attributes pass through).
    return cast(TwitterMetricsMixin, run.ctx.platforms.get(names.TWITTER, account))


MAX_QUERY = 512  # X's query length for recent search and counts (4,096 on Enterprise)


def hashtag_query(tag: str, own_usernames: Sequence[str]) -> str:
    """Others' original posts with the hashtag: ours (``-from:``) and retweets left out, as many
    of our accounts as fit in X's 512 characters (a campaign rarely has more than a few)."""
    terms = [tag, "-is:retweet"]
    for username in own_usernames:
        if len(" ".join([*terms, f"-from:{username}"])) > MAX_QUERY:
            break
        terms.append(f"-from:{username}")
    return " ".join(terms)


def collect_x_hashtag(run: Collection, tag: str, accounts: Sequence[str]) -> None:
    """Count ``uses`` (counts/recent) and ``accounts`` (distinct authors, from search) per hour."""
    now = run.ctx.clock()
    with session_scope(run.ctx.engine, read_only=True) as session:
        last = last_observed(session, run.slug, names.HASHTAG)
    ranges = {
        metric: hashtag_hours(last_bucket=last.get((tag, metric)), now=now, window=run.window)
        for metric in names.HASHTAG_METRICS
    }
    for metric, hours in ranges.items():
        if hours.lost_from is not None:
            run.hashtag_gap(
                tag,
                metric,
                hours.lost_from,
                hours.start,
                "older than X's 7-day search window when collection reached it",
            )
    if run.x_stopped:  # the read budget or the credits are spent: the hours due wait, explained
        return _hour_gaps(run, tag, ranges, run.x_stopped)
    try:
        adapter = _adapter(run, accounts[0])
        handles = [run.ctx.platforms.handle(names.TWITTER, a) for a in accounts]
    except SettingsError as e:
        return _hour_gaps(run, tag, ranges, str(e))
    query = hashtag_query(tag, [h[1:] for h in handles if h.startswith("@")])
    counted = _count_uses(run, adapter, tag, query, ranges["uses"])
    _count_accounts(run, adapter, tag, query, ranges["accounts"], uses_too=not counted)


def _hour_gaps(run: Collection, tag: str, ranges: dict[str, HourRange], reason: str) -> None:
    for metric, hours in ranges.items():
        if not hours.empty:
            run.hashtag_gap(tag, metric, hours.start, hours.end, reason)


def _count_uses(
    run: Collection, adapter: TwitterMetricsMixin, tag: str, query: str, hours: HourRange
) -> bool:
    """Store ``uses`` per hour from counts/recent; False if counts are not available (no bearer)."""
    if hours.empty:
        return True
    try:
        buckets = run.call(partial(adapter.recent_counts, query, start_time=hours.start, end_time=hours.end))
    except PlatformError as e:
        line = run.failed(e)
        if isinstance(e, QuotaExhausted):
            run.x_stopped = line
        run.hashtag_gap(tag, "uses", hours.start, hours.end, line)
        return True
    if buckets is None:
        return False
    by_hour = {floor_hour(b.start): 0 for b in buckets}
    for bucket in buckets:
        by_hour[floor_hour(bucket.start)] += bucket.count
    _store_hours(run, tag, "uses", {h: by_hour.get(h, 0) for h in hours.hours()}, names.SOURCE_X_COUNTS)
    return True


def _count_accounts(
    run: Collection, adapter: TwitterMetricsMixin, tag: str, query: str, hours: HourRange, *, uses_too: bool
) -> None:
    """Distinct authors per hour from recent search; stored only when every page was read."""
    if hours.empty:
        return
    budget = run.x_budget()
    authors: dict[datetime, set[str]] = {h: set() for h in hours.hours()}
    posts: dict[datetime, int] = dict.fromkeys(authors, 0)
    token: str | None = None

    def hashtag_gaps(reason: str) -> None:
        for metric in ("accounts", "uses") if uses_too else ("accounts",):
            run.hashtag_gap(tag, metric, hours.start, hours.end, reason)

    while True:
        reason = run.x_stopped
        if reason is None and budget.remaining < MIN_SEARCH_PAGE:
            with session_scope(run.ctx.engine) as session:
                budget.close(session, run.ctx.clock())
            reason = run.x_stopped = run.budget_spent()
        if reason is not None:
            hashtag_gaps(reason)
            return
        try:
            page = run.call(
                partial(
                    adapter.search_page,
                    query,
                    start_time=hours.start,
                    end_time=hours.end,
                    next_token=token,
                    max_results=min(100, budget.remaining),
                )
            )
        except PlatformError as e:
            line = run.failed(e)
            if isinstance(e, QuotaExhausted):
                run.x_stopped = line
            hashtag_gaps(line)
            return
        with session_scope(run.ctx.engine) as session:
            budget.spend(session, len(page.posts), run.ctx.clock())
        run.result.reads = budget.used
        for found in page.posts:
            hour = floor_hour(found.created_at)
            if hour in authors:
                authors[hour].add(found.author_id)
                posts[hour] += 1
        token = page.next_token
        if token is None:
            break
    _store_hours(run, tag, "accounts", {h: len(a) for h, a in authors.items()}, names.SOURCE_X_SEARCH)
    if uses_too:
        _store_hours(run, tag, "uses", posts, names.SOURCE_X_SEARCH)


def _store_hours(run: Collection, tag: str, metric: str, values: dict[datetime, int], source: str) -> None:
    samples = [
        Sample(run.slug, names.TWITTER, names.HASHTAG, tag, metric, value, hour, source)
        for hour, value in sorted(values.items())
    ]
    with session_scope(run.ctx.engine) as session:
        run.result.samples += add_samples(session, samples, replace=True)
    run.result.hours = max(run.result.hours, len(values))
