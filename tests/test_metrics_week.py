"""A campaign week in the sandbox, clock advanced: what the collector stored equals what the
sandbox's simulation says, computed here on our own from its ground truth."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaigns.metrics import names
from campaigns.metrics.collect import collect_metrics
from campaigns.metrics.collection import CollectOptions
from campaigns.publishing import Context
from campaigns.store.metrics_models import MetricGap, MetricSample, ReadBudgetUse
from sandbox.clock import parse_iso
from sandbox.engagement import facebook_metrics, x_metrics
from sandbox.model import Post as SandboxPost
from sandbox.simulation import Chatter
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign
from tests.support.publishing_fixtures import SharedClock, publish_and_record

TAG = "#SSWWeek"
QUARTER = 15 * 60


publish = publish_and_record


def samples(engine: Engine) -> list[MetricSample]:
    with Session(engine) as session:
        return list(session.exec(select(MetricSample).order_by(col(MetricSample.observed_at))))


def truth_posts(sandbox: SandboxHandle) -> dict[str, SandboxPost]:
    """Our posts as the sandbox's ground-truth page lists them."""
    return {
        p["id"]: SandboxPost(p["platform"], p["id"], p["account_id"], p["text"], parse_iso(p["created_at"]))
        for p in sandbox.posts()
    }


@pytest.mark.slow
def test_a_week_of_collection_stores_exactly_the_simulated_numbers(
    ctx: Context, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    with Session(engine) as session:
        add_campaign(session, "ssw-week")
    remote = {
        "ssw-week:d1p1:twitter": publish(ctx, engine, "ssw-week:d1p1:twitter", "twitter", f"Day one {TAG}"),
        "ssw-week:d1p1:facebook": publish(
            ctx, engine, "ssw-week:d1p1:facebook", "facebook", f"Day one {TAG}"
        ),
    }
    options = CollectOptions(x_daily_reads=100_000, retry_wait=0)
    end = NOW + timedelta(days=5)
    while clock.now < end:
        if clock.now == NOW + timedelta(days=1):
            post_id = "ssw-week:d2p1:twitter"
            remote[post_id] = publish(ctx, engine, post_id, "twitter", f"Day two {TAG}")
        collect_metrics(ctx, hashtags={"ssw-week": [TAG]}, options=options)
        # The beat ticks every 15 min; once no post is young any more, hourly ticks do the same work,
        # in phase with the hourly reads (at :45), so that none comes a tick late (a gap).
        clock.advance(QUARTER if clock.now < NOW + timedelta(days=1, hours=7, minutes=45) else 4 * QUARTER)

    stored = samples(engine)
    truth = truth_posts(sandbox)
    store = sandbox.state.store  # the audiences the simulation scales with
    by_post: dict[str, list[MetricSample]] = defaultdict(list)
    for sample in stored:
        if sample.subject_type == names.POST:
            by_post[sample.subject].append(sample)
    assert set(by_post) == set(remote)
    for post_id, rows in by_post.items():
        post = truth[remote[post_id]]
        for row in rows:
            if post.platform == "x":
                followers = store.x_accounts[post.account_id].followers
                expected = x_metrics(0, post, followers, row.observed_at)[
                    names.TWITTER_POST_METRICS[row.metric]
                ]
            else:
                fb = facebook_metrics(0, post, store.pages[post.account_id].followers, row.observed_at)
                key = {"reactions": "reactions_total", "media_views": "views"}.get(row.metric, row.metric)
                expected = fb[key]
            assert row.value == expected, (post_id, row.metric, row.observed_at)

    # Polled every 15 min while young, hourly to 3 days, then daily.
    first = sorted({r.observed_at for r in by_post["ssw-week:d1p1:twitter"]})
    steps = [(b - NOW, b - a) for a, b in pairwise(first)]
    assert all(step == timedelta(minutes=15) for age, step in steps if age <= timedelta(hours=6))
    # (checked while the beat ticked every 15 min: hourly ticks from then on shift the phase once)
    hourly = [step for age, step in steps if timedelta(hours=6, minutes=15) < age <= timedelta(hours=31)]
    assert hourly == [timedelta(hours=1)] * len(hourly), steps
    assert [step for age, step in steps if age > timedelta(days=3, hours=1)] == [timedelta(days=1)] * 2

    # Hashtag volume per hour: others' original posts with the tag, and their distinct authors.
    chatter = Chatter(0)
    first_use = truth[remote["ssw-week:d1p1:twitter"]].created_at
    hourly = [s for s in stored if s.subject_type == names.HASHTAG]
    uses = {s.observed_at: s.value for s in hourly if s.metric == "uses"}
    accounts = {s.observed_at: s.value for s in hourly if s.metric == "accounts"}
    start_of_day = NOW.replace(hour=0)
    # The last cycle ran at 08:00 on day 5: its last completed hour is 07:00-08:00.
    assert min(uses) == start_of_day and max(uses) == end - timedelta(hours=2)
    assert set(uses) == set(accounts)
    for hour in uses:
        others = [
            p
            for p in chatter.posts("sswweek", first_use, hour, hour + timedelta(hours=1))
            if p.created_at < hour + timedelta(hours=1) and p.retweet_of is None
        ]
        assert uses[hour] == len(others), hour
        assert accounts[hour] == len({p.account_id for p in others}), hour
    assert sum(uses.values()) > 0

    with Session(engine) as session:
        assert session.exec(select(MetricGap)).all() == []
        budget = session.exec(select(ReadBudgetUse)).all()
    assert budget and all(b.reads > 0 and b.exhausted_at is None for b in budget)


def test_collecting_twice_at_the_same_moment_writes_nothing_new(
    ctx: Context, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    with Session(engine) as session:
        add_campaign(session, "ssw-week")
    publish(ctx, engine, "ssw-week:d1p1:twitter", "twitter", f"Day one {TAG}")
    clock.advance(3600 * 3)
    options = CollectOptions(x_daily_reads=1000)
    first = collect_metrics(ctx, hashtags={"ssw-week": [TAG]}, options=options)
    count = len(samples(engine))
    again = collect_metrics(ctx, hashtags={"ssw-week": [TAG]}, options=options)

    assert first.campaigns[0].samples == count > 0
    assert again.campaigns[0].samples == 0 and len(samples(engine)) == count
    assert datetime(2027, 3, 16, tzinfo=UTC) in {s.observed_at for s in samples(engine)}
