"""The fault harness's verdict maths on small inputs: metrics windows and weekly reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from benchmarks.faultkit.verdict import Gap, Windows, count_reports, hashtag_windows, post_windows
from campaigns.metrics.schedule import Polling

MINUTE = timedelta(minutes=1)
POLLING = Polling(young_every=MINUTE, every=MINUTE)  # the harness's: read every 60 s
P = datetime(2027, 3, 16, 9, 0, 10, tzinfo=UTC)  # published


def at(seconds: float) -> datetime:
    return P + timedelta(seconds=seconds)


def windows_of(readings: list[float], gaps: list[Gap] = (), cutoff: float = 300) -> Windows:  # type: ignore[assignment]
    windows = Windows()
    post_windows(
        windows,
        post="p1",
        published_at=P,
        readings=[at(s) for s in readings],
        gaps=list(gaps),
        cutoff=at(cutoff),
        polling=POLLING,
    )
    return windows


def test_a_post_read_every_tick_collected_each_window():
    w = windows_of([20, 80, 141, 199, 262])
    assert (w.collected, sum(w.gaps.values()), w.missing) == (5, 0, [])


def test_a_tick_lost_is_a_missing_window_unless_a_gap_covers_it():
    lost = windows_of([20, 80, 200, 262])  # 80 -> 200: the read at ~140 never happened
    assert lost.collected == 3 and len(lost.missing) == 1 and "09:02:30" in lost.missing[0]

    gap = Gap("p1", None, at(140), at(200), "not read on schedule: the collector did not run in time")
    covered = windows_of([20, 80, 200, 262], [gap])
    assert covered.collected == 3 and covered.missing == []
    assert covered.gaps == {"not read on schedule": 1}  # by cause: the reason before its details


def test_a_gap_of_another_post_or_metric_explains_nothing():
    other = Gap("p2", None, at(140), at(200), "x")
    metric = Gap("p1", "likes", at(140), at(200), "y")
    assert len(windows_of([20, 80, 200, 262], [other]).missing) == 1
    # a post not read at all in a window: only a gap of all its metrics explains it (one metric's gap
    # is an insight the platform refused while the post was read)
    assert len(windows_of([20, 80, 200, 262], [metric]).missing) == 1


def test_a_post_not_read_by_the_end_is_missing_but_the_window_still_open_is_not():
    assert windows_of([20, 80, 141], cutoff=200).missing == []  # next read due ~201: still open
    stalled = windows_of([20, 80], cutoff=300)  # two ticks and more without a read
    assert len(stalled.missing) == 1


def test_readings_stamped_after_the_end_or_before_the_publish_are_ignored():
    # the service's clock an hour ahead stamps a reading in the future; an hour back, in the past
    w = windows_of([20, 80, 141, 3600 + 150, -3000], cutoff=200)
    assert (w.collected, w.missing) == (3, [])


def test_never_read_at_all_is_missing():
    assert len(windows_of([], cutoff=300).missing) == 1


def test_hashtag_hours_counted_or_gap_and_the_recent_ones_left_out():
    day = datetime(2027, 3, 16, tzinfo=UTC)
    counted = {("#T", m, day + timedelta(hours=h)) for m in ("uses", "accounts") for h in range(3)}
    counted.discard(("#T", "accounts", day + timedelta(hours=1)))
    gap = Gap("#T", "accounts", day + timedelta(hours=1), day + timedelta(hours=2), "X said wait (429)")
    w = Windows()
    # 03:01: hour 02:00-03:00 completed a minute ago (under two ticks): left out
    hashtag_windows(
        w,
        tag="#T",
        metrics=("uses", "accounts"),
        first_day=day + timedelta(hours=1, minutes=30),  # the first post's time: hours from 00:00 UTC
        counted=counted,
        gaps=[gap],
        cutoff=day + timedelta(hours=3, minutes=1),
        tick=MINUTE,
    )
    assert (w.collected, dict(w.gaps), w.missing) == (3, {"X said wait (429)": 1}, [])

    w = Windows()
    hashtag_windows(
        w,
        tag="#T",
        metrics=("uses", "accounts"),
        first_day=day,
        counted=counted,
        gaps=[],
        cutoff=day + timedelta(hours=3, minutes=5),
        tick=MINUTE,
    )
    assert w.collected == 5 and w.missing == ["#T accounts 01:00:00-02:00:00 (no gap of it)"]


def test_reports_once_twice_not_sent_and_explained():
    due = {
        ("a", "2027-W14", "c@x"),
        ("b", "2027-W14", "c@x"),
        ("*", "2027-W14", "c@x"),
        ("d", "2027-W14", "c@x"),
    }
    received = [("a", "2027-W14", "c@x"), ("b", "2027-W14", "c@x"), ("b", "2027-W14", "c@x")]
    recorded = {
        ("a", "2027-W14", "c@x"): ("sent", None),
        ("b", "2027-W14", "c@x"): ("sent", None),
        ("*", "2027-W14", "c@x"): ("pending", None),
        ("d", "2027-W14", "c@x"): ("interrupted", "interrupted while being sent"),
    }

    r = count_reports(due, received, recorded)

    assert (r.due, r.once) == (4, 1)
    assert r.twice == ["b 2027-W14 c@x: 2 times"]
    assert r.not_sent == ["* 2027-W14 c@x: pending"]
    assert r.explained == {"interrupted: interrupted while being sent": 1}


def test_a_report_received_once_that_was_not_due_or_not_recorded_is_listed():
    r = count_reports(set(), [("a", "2027-W13", "c@x")], {})
    assert (r.due, r.once, r.twice, r.not_sent) == (0, 0, [], [])
    assert r.unexpected == ["a 2027-W13 c@x"] and r.disagree == ["a 2027-W13 c@x: received, recorded no row"]
