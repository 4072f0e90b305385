"""The collector's edges: the read budget, X's 402, retried and recorded failures, a retired
Facebook insights metric, and the sandbox's counts and credits routes it relies on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from campaigns.metrics import names
from campaigns.metrics.collect import collect_metrics
from campaigns.metrics.collect_facebook import collect_facebook_posts
from campaigns.metrics.collection import CollectOptions
from campaigns.metrics.schedule import Polling, active_window, hashtag_hours, post_due
from campaigns.publishing import Context
from campaigns.store.metrics_models import MetricGap, MetricSample, ReadBudgetUse
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign
from tests.support.publishing_fixtures import SharedClock, publish_and_record

TAG = "#SSWWeek"


def publish(ctx: Context, engine: Engine, post_id: str, channel: str = "twitter") -> str:
    return publish_and_record(ctx, engine, post_id, channel, f"{post_id} {TAG}")


def rows(engine: Engine, model: type) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model)))


def campaign(engine: Engine) -> None:
    with Session(engine) as session:
        add_campaign(session, "ssw-week")


def test_the_read_budget_stops_collection_cleanly_and_says_so(
    ctx: Context, engine: Engine, clock: SharedClock
):
    campaign(engine)
    for n in range(5):
        publish(ctx, engine, f"ssw-week:d1p{n}:twitter")
    clock.advance(600)

    summary = collect_metrics(ctx, hashtags={"ssw-week": [TAG]}, options=CollectOptions(x_daily_reads=3))

    result = summary.campaigns[0]
    assert result.posts_read == 3 and result.reads == 3
    assert any("X read budget spent (3/3 X reads today)" in note for note in result.notes)
    [budget] = rows(engine, ReadBudgetUse)
    assert (budget.reads, budget.limit, budget.exhausted_at) == (3, 3, clock.now)
    gaps = rows(engine, MetricGap)
    assert {g.subject for g in gaps if g.subject_type == names.POST} == {
        "ssw-week:d1p3:twitter",
        "ssw-week:d1p4:twitter",
    }
    assert all("X read budget spent" in g.reason for g in gaps)
    # The hashtag's hours due are not read either: each metric's get a gap (the fault run found
    # them left without one).
    assert {(g.subject, g.metric) for g in gaps if g.subject_type == names.HASHTAG} == {
        (TAG, "uses"),
        (TAG, "accounts"),
    }
    assert len({s.subject for s in rows(engine, MetricSample)}) == 3


def test_x_credits_depleted_402_stops_the_x_reads_with_a_gap(
    ctx: Context, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    campaign(engine)
    publish(ctx, engine, "ssw-week:d1p1:twitter")
    clock.advance(600)
    sandbox.call("POST", "/_sandbox/credits", {"reads": 0})

    summary = collect_metrics(ctx, hashtags={"ssw-week": [TAG]}, options=CollectOptions(retry_wait=0))

    assert rows(engine, MetricSample) == []
    gaps = rows(engine, MetricGap)
    [gap] = [g for g in gaps if g.subject_type == names.POST]
    assert (
        gap.subject == "ssw-week:d1p1:twitter"
        and "quota exhausted" in gap.reason
        and "HTTP 402" in gap.reason
    )
    hours = [g for g in gaps if g.subject_type == names.HASHTAG]  # not read either, for the same reason
    assert {g.metric for g in hours} == {"uses", "accounts"} and all(g.reason == gap.reason for g in hours)
    assert any("CreditsDepleted" in n or "402" in n for n in summary.campaigns[0].notes)


def test_a_transient_error_is_retried_and_a_lasting_one_becomes_a_gap(
    ctx: Context, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    campaign(engine)
    publish(ctx, engine, "ssw-week:d1p1:twitter")
    clock.advance(600)
    sandbox.add_fault(kind="error", status=503, method="GET", path="/2/tweets", times=1)
    collect_metrics(ctx, hashtags={}, options=CollectOptions(retry_wait=1))
    assert len(rows(engine, MetricSample)) == 6 and rows(engine, MetricGap) == []
    assert clock.slept == [1]

    clock.advance(900)
    sandbox.add_fault(kind="error", status=503, method="GET", path="/2/tweets")
    collect_metrics(ctx, hashtags={}, options=CollectOptions(retry_wait=1))
    clock.advance(900)
    collect_metrics(ctx, hashtags={}, options=CollectOptions(retry_wait=1))

    assert len(rows(engine, MetricSample)) == 6  # nothing made up for the failed reads
    [gap] = rows(engine, MetricGap)  # two failed cycles in a row: one gap
    last_read = rows(engine, MetricSample)[0].observed_at  # 09:10:01, after the retry's 1 s wait
    assert gap.window_start == last_read and gap.window_end > NOW + timedelta(seconds=2400)
    assert "temporary failure" in gap.reason and "503" in gap.reason


def test_a_retired_insights_metric_is_recorded_unavailable_and_the_others_go_on(
    ctx: Context, engine: Engine, clock: SharedClock
):
    from campaigns.metrics.collect import tracked_posts
    from campaigns.metrics.collection import Collection

    campaign(engine)
    publish(ctx, engine, "ssw-week:d1p1:facebook", channel="facebook")
    clock.advance(600)  # read at the next tick: not late (a late first read is a gap of its own)
    posts, window = tracked_posts(ctx, "ssw-week", Polling())
    assert window is not None
    run = Collection(ctx, CollectOptions(), "ssw-week", window)

    collect_facebook_posts(
        run, posts, insights={"impressions": "post_impressions", "reach": "post_total_media_view_unique"}
    )

    stored = {s.metric: s.value for s in rows(engine, MetricSample)}
    assert set(stored) == {"reactions", "comments", "shares", "reach"} and stored["reach"] > 0
    [gap] = rows(engine, MetricGap)
    assert gap.metric == "impressions" and "valid insights metric" in gap.reason


def test_the_sandbox_counts_others_hashtag_use_per_hour(
    ctx: Context, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    ctx.platforms.get("twitter", "default").publish(f"Day one {TAG}")  # the tag goes live
    clock.advance(6 * 3600)
    adapter = ctx.platforms.get("twitter", "default")
    start, end = NOW - timedelta(hours=3), NOW + timedelta(hours=6)
    buckets = adapter.recent_counts(f"{TAG} -from:SSWAlliance_demo", start_time=start, end_time=end)  # type: ignore[attr-defined]
    assert [b.start for b in buckets] == [start + timedelta(hours=k) for k in range(9)]
    found, token = [], None
    while True:
        page = adapter.search_page(
            f"{TAG} -from:SSWAlliance_demo", start_time=start, end_time=end, next_token=token
        )  # type: ignore[attr-defined]
        found += page.posts
        token = page.next_token
        if token is None:
            break
    assert sum(b.count for b in buckets) == len(found) > 0
    assert sandbox.call("GET", "/_sandbox/credits")["spent"] == len(found) + 1  # a counts request costs one


def test_polling_is_frequent_while_young_and_stops_after_the_active_window():
    polling = Polling()
    window = active_window(NOW, NOW + timedelta(days=4), polling)
    due = lambda age, since: post_due(  # noqa: E731
        published_at=NOW, last_read=NOW + age - since, now=NOW + age, window=window, polling=polling
    )
    assert due(timedelta(hours=1), timedelta(minutes=15)) and not due(
        timedelta(hours=1), timedelta(minutes=10)
    )
    assert not due(timedelta(hours=7), timedelta(minutes=30)) and due(timedelta(hours=7), timedelta(hours=1))
    assert not due(timedelta(days=4), timedelta(hours=12)) and due(timedelta(days=4), timedelta(days=1))
    assert not due(timedelta(days=19), timedelta(days=2))  # 14 days after the last post: done
    assert window.start == NOW.replace(hour=0)


def test_hashtag_hours_are_the_completed_ones_within_xs_seven_days():
    window = active_window(NOW - timedelta(days=10), NOW, Polling())
    hours = hashtag_hours(last_bucket=None, now=NOW + timedelta(minutes=30), window=window)
    assert hours.end == NOW and hours.lost_from == window.start
    assert hours.start == NOW - timedelta(days=7) + timedelta(hours=1)
    later = hashtag_hours(
        last_bucket=NOW - timedelta(hours=1), now=NOW + timedelta(minutes=30), window=window
    )
    assert later.empty and later.lost_from is None


def test_a_read_a_tick_late_records_the_window_it_missed_as_a_gap(
    ctx: Context, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    campaign(engine)
    publish(ctx, engine, "ssw-week:d1p1:twitter")
    clock.advance(600)
    collect_metrics(ctx, hashtags={}, options=CollectOptions(retry_wait=0))
    first = rows(engine, MetricSample)[0].observed_at
    clock.advance(900)  # on time: no gap
    collect_metrics(ctx, hashtags={}, options=CollectOptions(retry_wait=0))
    assert rows(engine, MetricGap) == []

    clock.advance(1800)  # the 15-minute tick in between was lost (workers or broker down)
    collect_metrics(ctx, hashtags={}, options=CollectOptions(retry_wait=0))

    [gap] = rows(engine, MetricGap)
    assert gap.reason.startswith("not read on schedule")
    assert gap.window_start == first + timedelta(seconds=900 + 900) and gap.window_end == clock.now
    assert len({s.observed_at for s in rows(engine, MetricSample)}) == 3  # the late read is stored


def test_metrics_reads_leave_a_pages_graph_rate_limit_to_publishing(
    ctx: Context, engine: Engine, sandbox: SandboxHandle, clock: SharedClock, monkeypatch
):
    # Issue 14's fault run: reads every minute spent a Page's hourly Graph budget (Meta's code 32)
    # and its posts waited 46 minutes. A Page of 24 calls an hour: four posts read in full would
    # take 16 calls a cycle, so the budget is gone by the second cycle unless the reads stop early.
    monkeypatch.setattr(sandbox.state.graph_usage, "page_limit", 24)
    campaign(engine)
    for n in range(4):
        publish(ctx, engine, f"ssw-week:d1p{n}:facebook", channel="facebook")
    clock.advance(600)

    summaries = []
    for _ in range(3):
        summaries.append(collect_metrics(ctx, hashtags={}, options=CollectOptions(retry_wait=0)))
        clock.advance(800)

    facebook = ctx.platforms.get("facebook", "default")
    facebook.publish(f"published while metrics were being read {TAG}")  # not rate limited
    usage = facebook.page_usage()
    assert usage is not None and usage < 100
    paused = [g for g in rows(engine, MetricGap) if "metrics reads paused above 50%" in g.reason]
    assert paused and all("Facebook Page default at " in g.reason for g in paused)
    assert any("metrics reads paused" in note for note in summaries[0].campaigns[0].notes)
    read = {s.subject for s in rows(engine, MetricSample)}
    assert read and len(read) < 4  # the first posts were read before the pause, not all of them


def test_a_pages_usage_is_read_from_metas_headers():
    from campaigns.platforms.facebook_answers import page_usage

    buc = '{"1": [{"type": "pages", "call_count": 12, "total_cputime": 61, "total_time": 3}]}'
    assert page_usage({"x-page-usage": '{"call_count": 40, "total_cputime": 2, "total_time": 5}'}) == 40
    assert page_usage({"x-business-use-case-usage": buc}) == 61
    assert page_usage({"x-page-usage": "not json", "x-business-use-case-usage": buc}) == 61
    assert page_usage({}) is None and page_usage(None) is None
