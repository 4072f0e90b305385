"""The schedule kept by real processes: Celery workers and beats on Redis and PostgreSQL, the
sandbox over HTTP. From YAML to posts at their time; a 429 storm; an outage longer than the late
window; two beats at once; a spec edited while the service runs.

Function-level versions of the same rules are in tests/test_publishing_*.py; here every step
crosses the broker and the processes' own clocks and connections.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from campaigns.store.models import Attempt
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import ThrowawayPostgres
from tests.support.publishing_fixtures import account_row, attempts_of, post_row
from tests.support.service_processes import World, service_world

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FAST = {"CAMPAIGNS_TEST_SWEEP_EVERY": "1", "CAMPAIGNS_TEST_SYNC_SPECS_EVERY": "1"}


@pytest.fixture
def world(tmp_path: Path, throwaway_postgres: ThrowawayPostgres, sandbox: SandboxHandle) -> Iterator[World]:
    with service_world(tmp_path, throwaway_postgres, sandbox) as world:
        yield world


def write_spec(world: World, *, day1: datetime, first: str, second_time: str | None = None) -> None:
    """``process-test.yaml``: post ``first`` on day 1 at ``day1`` (UTC), post ``second`` on day 2."""
    second = f'\n        time: "{second_time}"' if second_time else ""
    (world.specs / "process-test.yaml").write_text(
        f"""campaign: Process test
timezone: UTC
start: {day1:%Y-%m-%d}
time: "{day1:%H:%M}"
channels: [twitter, facebook]
hashtags: ["#SSWWeek"]
days:
  - posts:
      - text: "{first}"
        id: first
  - posts:
      - text: "The day after #SSWWeek"
        id: second{second}
""",
        encoding="utf-8",
    )


def texts(world: World, platform: str | None = None) -> Counter[str]:
    return Counter(post["text"] for post in world.sandbox.posts(platform=platform))


def test_it_publishes_a_campaign_from_yaml_at_its_time(world: World):
    at = (datetime.now(UTC) + timedelta(seconds=15 + 59)).replace(second=0, microsecond=0)
    first = f"On the minute #SSWWeek {secrets.token_hex(3)}"
    write_spec(world, day1=at, first=first)
    world.cluster.beat(**FAST)
    world.cluster.worker(concurrency=2)

    wait = (at - datetime.now(UTC)).total_seconds() + 60
    posts = [
        world.wait_status(f"process-test:first:{c}", "published", timeout=wait)
        for c in ("twitter", "facebook")
    ]

    truth = {post["id"]: post for post in world.sandbox.posts()}
    assert sorted(p["text"] for p in truth.values()) == [first, first], world.cluster.output()
    for post in posts:
        [remote_id] = post.remote_ids
        assert post.scheduled_at == at
        assert datetime.fromisoformat(truth[remote_id]["created_at"]) >= at, "published before its time"
    for channel in ("twitter", "facebook"):
        later = post_row(world.engine, f"process-test:second:{channel}")
        assert (later.status, later.scheduled_at) == ("scheduled", at + timedelta(days=1))


def test_it_delays_posts_in_a_429_storm_without_losing_any(world: World):
    # The sandbox's clock runs 890 s behind, so the spent 15-minute window it reports resets 10 s
    # from now (real time): the hold is short enough to wait out.
    world.sandbox.set_clock(datetime.now(UTC) - timedelta(seconds=890), frozen=False)
    world.sandbox.add_fault(kind="rate_limit", platform="x", method="POST", path="/2/tweets", times=3)
    due = datetime.now(UTC) + timedelta(seconds=2)
    ids = [f"ssw-week:p{i}:twitter" for i in range(5)] + [f"ssw-week:p{i}:facebook" for i in range(2)]
    world.add_posts(*[(post_id, due) for post_id in ids])
    world.cluster.beat(**FAST)
    world.cluster.worker(concurrency=2)

    posts = [world.wait_status(post_id, "published", "failed") for post_id in ids]

    assert [p.status for p in posts] == ["published"] * len(ids), world.cluster.output()
    assert texts(world) == Counter(p.text for p in posts), "a post was lost or published twice"
    held = account_row(world.engine, "twitter", "default")
    assert held is not None and held.rate_limited_until is not None
    outcomes = Counter(a.outcome for post_id in ids for a in attempts_of(world.engine, post_id))
    assert outcomes["rate_limited"] >= 1, outcomes
    resets = [reset_of(a) for post_id in ids for a in attempts_of(world.engine, post_id)]
    first_reset = min(r for r in resets if r is not None)
    for post in posts:
        assert post.attempts == 1, f"{post.id}: a rate limit burnt an attempt"
        if post.channel != "twitter":
            continue
        # Each 429 gives its own reset: with two workers a later 429 may extend the hold after a
        # post went out at the end of an earlier one, so each try is checked against its own.
        assert post.published_at is not None and post.published_at >= first_reset
        tries = attempts_of(world.engine, post.id)
        for tried, next_try in pairwise(tries):
            reset = reset_of(tried)
            assert reset is None or next_try.started_at >= reset, f"{post.id} tried again before its reset"


def reset_of(attempt: Attempt) -> datetime | None:
    """The reset a rate-limited try was given (its error says "... (until 2026-11-23 00:40:22 UTC)")."""
    if attempt.outcome != "rate_limited":
        return None
    found = re.search(r"until (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", attempt.error or "")
    assert found, attempt.error
    return datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def test_it_marks_posts_missed_after_an_outage_longer_than_their_window(world: World):
    due = datetime.now(UTC) + timedelta(seconds=1)
    world.add_posts(("ssw-week:short:twitter", due), late_window=timedelta(seconds=3))
    world.add_posts(("ssw-week:long:facebook", due), late_window=timedelta(hours=1))
    outage_over = due + timedelta(seconds=5)
    time.sleep(max(0.0, (outage_over - datetime.now(UTC)).total_seconds()))  # nothing runs meanwhile
    world.cluster.beat(**FAST)
    world.cluster.worker()

    late = world.wait_status("ssw-week:long:facebook", "published")
    missed = world.wait_status("ssw-week:short:twitter", "missed", "published")

    assert missed.status == "missed", world.cluster.output()
    assert "late window" in (missed.status_reason or "")
    assert attempts_of(world.engine, missed.id) == []
    assert texts(world) == Counter([late.text]), "only the post still inside its window may go out"


def test_it_never_dispatches_a_post_twice_with_two_beats_running(world: World):
    start = datetime.now(UTC) + timedelta(seconds=2)
    ids = [f"ssw-week:p{i}:{channel}" for i in range(5) for channel in ("twitter", "facebook")]
    world.add_posts(*[(post_id, start + timedelta(seconds=i // 2)) for i, post_id in enumerate(ids)])
    beats = [world.cluster.beat("beat-a", **FAST), world.cluster.beat("beat-b", **FAST)]
    world.cluster.worker(concurrency=2)

    posts = [world.wait_status(post_id, "published", "failed") for post_id in ids]
    [active] = [b for b in beats if "this beat is active" in b.output()]
    [standby] = [b for b in beats if b is not active]

    assert texts(world) == Counter(p.text for p in posts), "a post was lost or published twice"
    assert all(len(attempts_of(world.engine, p.id)) == 1 for p in posts)
    assert "Sending due task" in active.output() and "stands by" in standby.output()
    assert "Sending due task" not in standby.output(), "the standby beat sent ticks too"

    active.stop()  # a clean stop gives the lease up: the standby takes over at its next try
    world.add_posts(("ssw-week:after:twitter", datetime.now(UTC) + timedelta(seconds=1)))
    after = world.wait_status("ssw-week:after:twitter", "published", "failed")

    assert after.status == "published", world.cluster.output()
    assert "this beat is active" in standby.output() and "Sending due task" in standby.output()
    assert texts(world)[after.text] == 1


def test_it_reschedules_a_future_post_on_a_spec_edit_and_leaves_a_published_one_alone(world: World):
    day1 = (datetime.now(UTC) - timedelta(minutes=2)).replace(second=0, microsecond=0)
    write_spec(world, day1=day1, first="Two minutes late, inside the window #SSWWeek")
    world.cluster.beat(**FAST)
    world.cluster.worker()
    published = world.wait_status("process-test:first:twitter", "published", "failed")
    before = post_row(world.engine, "process-test:second:twitter")
    assert published.status == "published", world.cluster.output()

    moved_to = day1 + timedelta(days=1, hours=1)  # day 2, an hour later (or just after midnight)
    moved_to = datetime.combine(day1.date() + timedelta(days=1), moved_to.time(), UTC)
    write_spec(world, day1=day1, first="An edited text #SSWWeek", second_time=f"{moved_to:%H:%M}")
    world.wait(
        "the edit to be applied",
        lambda: post_row(world.engine, "process-test:second:twitter").scheduled_at != before.scheduled_at,
    )

    moved = post_row(world.engine, "process-test:second:twitter")
    kept = post_row(world.engine, "process-test:first:twitter")
    assert (moved.status, moved.scheduled_at) == ("scheduled", moved_to)
    assert (kept.status, kept.remote_ids, kept.text) == ("published", published.remote_ids, published.text)
    on_x = texts(world, "x")
    assert (on_x[published.text], on_x["An edited text #SSWWeek"]) == (1, 0)
