"""Publishing one post through the sandbox over real HTTP: on time, once, and the ordinary refusals."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from campaigns import demo_accounts
from campaigns.publishing import Context, dispatch_due, publish_post
from campaigns.store.models import Campaign
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign, add_post, run_concurrently
from tests.support.publishing_fixtures import (
    Queue,
    SharedClock,
    account_row,
    attempts_of,
    image,
    make_context,
    post_row,
    tick,
)

PID = "ssw-week:d1p1:twitter"
HANDLES = {"twitter": f"@{demo_accounts.X_USERNAME}", "facebook": demo_accounts.FB_PAGE_NAME}
PLATFORM = {"twitter": "x", "facebook": "facebook"}


@pytest.mark.parametrize("channel", ["twitter", "facebook"])
def test_it_publishes_a_due_post_once_and_records_its_remote_id(
    ctx: Context,
    session: Session,
    engine: Engine,
    sandbox: SandboxHandle,
    channel: str,
    caplog: pytest.LogCaptureFixture,
):
    add_campaign(session)
    add_post(session, PID, channel=channel, text="Day 1: thank a social worker today #SSW")
    caplog.set_level(logging.INFO, logger="campaigns")

    [result] = tick(ctx)

    [truth] = sandbox.posts(platform=PLATFORM[channel])
    post = post_row(engine, PID)
    assert result.outcome == "published"
    assert (post.status, post.remote_ids, post.attempts) == ("published", [truth["id"]], 1)
    assert post.published_at == NOW and truth["text"] == "Day 1: thank a social worker today #SSW"
    line = f"published {PID} as {HANDLES[channel]} {post.remote_url} 0.00 s after its time"
    assert line in caplog.messages
    assert [a.outcome for a in attempts_of(engine, PID)] == ["published"]


def test_it_never_publishes_a_post_twice_when_its_message_comes_again(
    ctx: Context, session: Session, sandbox: SandboxHandle
):
    add_campaign(session)
    add_post(session, PID)
    queue = Queue()
    dispatch_due(ctx, queue)
    [(post_id, _)] = queue.drain()

    first, again = publish_post(ctx, post_id), publish_post(ctx, post_id)

    assert (first.outcome, again.outcome, again.detail) == ("published", "skipped", "it is published")
    assert len(sandbox.posts()) == 1


def test_it_lets_exactly_one_of_two_racing_workers_send(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, PID)
    queue = Queue()
    dispatch_due(ctx, queue)
    workers = [make_context(engine, sandbox, clock, worker=f"worker-{n}") for n in range(2)]

    def work(n: int, barrier: object) -> str:
        barrier.wait()  # type: ignore[attr-defined]
        return publish_post(workers[n], PID).outcome

    assert sorted(run_concurrently(2, work)) == ["published", "skipped"]
    assert len(sandbox.posts()) == 1


def test_it_claims_ahead_of_time_and_sends_on_the_second(
    ctx: Context, session: Session, engine: Engine, clock: SharedClock
):
    add_campaign(session)
    add_post(session, PID, at=NOW + timedelta(seconds=2))
    queue = Queue()

    dispatch_due(ctx, queue)
    [(post_id, eta)] = queue.drain()
    result = publish_post(ctx, post_id)

    assert eta == NOW + timedelta(seconds=2)
    assert clock.slept == [2.0] and result.outcome == "published"
    assert post_row(engine, PID).published_at == NOW + timedelta(seconds=2)


def test_a_post_run_long_before_its_time_goes_back_to_the_schedule_unsent(
    ctx: Context, session: Session, engine: Engine, clock: SharedClock, sandbox: SandboxHandle
):
    """Its message ran early (an ETA read on a worker clock an hour ahead): waiting would park a
    worker, sending would be early. The dispatcher claims it again in time."""
    add_campaign(session)
    add_post(session, PID, at=NOW + timedelta(minutes=30), status="claimed", claimed_by="dispatcher")

    result = publish_post(ctx, PID)

    assert result.outcome == "released" and "not due until" in result.detail
    assert clock.slept == [] and sandbox.posts() == []
    assert post_row(engine, PID).status == "scheduled"


def test_it_never_sends_before_its_time_when_the_service_clock_moved_back_while_it_waited(
    ctx: Context, session: Session, engine: Engine, clock: SharedClock
):
    """The service's clock resynced with the database during the wait (2 s back): the guard waits
    again rather than send 2 s early."""
    add_campaign(session)
    add_post(session, PID, at=NOW + timedelta(seconds=3), status="claimed", claimed_by="dispatcher")
    resynced: list[float] = []

    def sleep(seconds: float) -> None:
        resynced.append(seconds)
        clock.sleep(seconds - (2.0 if len(resynced) == 1 else 0.0))

    result = publish_post(replace(ctx, sleep=sleep), PID)

    assert resynced == [3.0, 2.0] and result.outcome == "published"
    assert post_row(engine, PID).published_at == NOW + timedelta(seconds=3)


def test_a_post_still_early_after_its_waits_goes_back_to_the_schedule(
    ctx: Context, session: Session, engine: Engine, clock: SharedClock, sandbox: SandboxHandle
):
    add_campaign(session)
    add_post(session, PID, at=NOW + timedelta(seconds=3), status="claimed", claimed_by="dispatcher")

    result = publish_post(replace(ctx, sleep=lambda _: None), PID)  # the clock never moves

    assert result.outcome == "released" and sandbox.posts() == []
    assert post_row(engine, PID).status == "scheduled"


def test_it_publishes_a_thread_as_replies_in_order(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle
):
    add_campaign(session)
    parts = [
        "1/3 Why social service workers matter",
        "2/3 They keep families together",
        "3/3 Thank one today",
    ]
    add_post(session, PID, text=parts[0], thread=parts)

    tick(ctx)

    posts = sandbox.posts()
    assert [p["text"] for p in posts] == parts
    assert [p["in_reply_to"] for p in posts] == [None, posts[0]["id"], posts[1]["id"]]
    assert post_row(engine, PID).remote_ids == [p["id"] for p in posts]


def test_it_attaches_the_image_and_link_to_the_first_part(
    ctx: Context, session: Session, sandbox: SandboxHandle, tmp_path: Path
):
    add_campaign(session)
    media = [{"path": str(image(tmp_path)), "alt": "Five caseworkers outside the office"}]
    add_post(
        session, PID, channel="facebook", text="Meet the team", media=media, link="https://example.org/team"
    )

    tick(ctx)

    [truth] = sandbox.posts(platform="facebook")
    assert [m["alt_text"] for m in truth["media"]] == ["Five caseworkers outside the office"]
    assert "https://example.org/team" in truth["text"]


def test_it_fails_a_post_the_platform_rejects_with_its_reason_in_one_line(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle
):
    add_campaign(session)
    add_post(session, PID, text="word " * 80)

    [result] = tick(ctx)

    post = post_row(engine, PID)
    assert (result.outcome, post.status) == ("failed", "failed")
    assert post.status_reason is not None and "\n" not in post.status_reason
    assert post.status_reason.startswith("twitter refused it: Your Tweet text is too long.")
    assert post.status_reason.endswith("(HTTP 400)")
    assert sandbox.posts() == []


def test_it_marks_a_claimed_post_missed_once_its_late_window_has_passed(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, PID, at=NOW - timedelta(hours=1), late_window=timedelta(hours=1))
    queue = Queue()
    dispatch_due(ctx, queue)  # claimed just inside the window; the worker only gets to it later
    clock.advance(1)

    result = publish_post(ctx, PID)

    post = post_row(engine, PID)
    assert (result.outcome, post.status) == ("missed", "missed")
    assert post.status_reason == "its late window passed before it could be sent"
    assert sandbox.posts() == [] and post.attempts == 0


@pytest.mark.parametrize("pause", [{"operator_paused": True}, {"spec_paused": True}])
def test_it_does_not_claim_posts_of_a_paused_campaign(
    ctx: Context, session: Session, sandbox: SandboxHandle, pause: dict[str, bool]
):
    add_campaign(session, **pause)
    add_post(session, PID)

    assert tick(ctx) == []
    assert sandbox.posts() == []


def test_it_gives_back_a_claimed_post_whose_campaign_was_paused_before_it_went_out(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle
):
    campaign = add_campaign(session)
    add_post(session, PID, at=NOW + timedelta(seconds=2))
    queue = Queue()
    dispatch_due(ctx, queue)
    campaign.operator_paused = True
    session.add(campaign)
    session.commit()

    result = publish_post(ctx, PID)

    assert (result.outcome, result.detail) == ("released", "its campaign is paused")
    assert post_row(engine, PID).status == "scheduled" and sandbox.posts() == []
    assert session.get(Campaign, "ssw-week") is not None


def test_it_holds_the_posts_of_an_account_that_is_not_configured(
    ctx: Context, session: Session, engine: Engine, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
):
    add_campaign(session)
    add_post(session, PID, account="nobody")

    [result] = tick(ctx)

    state = account_row(engine, "twitter", "nobody")
    assert result.outcome == "held" and post_row(engine, PID).status == "scheduled"
    assert state is not None and state.attention_needed
    assert [r.getMessage() for r in caplog.records if r.name == "campaigns.alerts"] == [
        "ALERT twitter/nobody needs attention: no twitter account named 'nobody' (configured: default). "
        "Its posts are held until it works again (checked every 5 min). To fix: give it valid credentials "
        '(README, "Publishing to the real platforms"), then run `campaigns accounts check`: its posts '
        "resume at once; `campaigns status` lists them."
    ]
    assert tick(ctx) == [] and sandbox.posts() == []


def test_it_names_the_account_by_its_label_when_the_platform_will_not_say_who_it_is(
    ctx: Context, session: Session, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
):
    add_campaign(session)
    add_post(session, "first", text="First post #SSW")
    add_post(session, "second", text="Second post #SSW")
    fault = sandbox.add_fault(kind="error", platform="x", method="GET", path="/2/users/me", status=503)
    caplog.set_level(logging.INFO, logger="campaigns")

    assert [r.outcome for r in tick(ctx)] == ["published", "published"]

    lines = [m for m in caplog.messages if m.startswith("published ")]
    assert [line.split(" ")[1:4:2] for line in lines] == [
        ["first", "twitter/default"],
        ["second", "twitter/default"],
    ]
    assert [f["fired"] for f in sandbox.faults() if f["id"] == fault["id"]] == [1]  # asked once, not per post
