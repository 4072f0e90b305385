"""Reconciliation finds its own post and no other: whole texts (links included, t.co expanded), ids
owned by other posts set aside, and no guess between two candidates.

Real database and the sandbox, which wraps links as X does (``sandbox.x_links``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from campaigns.platforms import get_platform
from campaigns.publishing import Context, reconcile_post, sweep
from campaigns.publishing.policy import RECONCILE_SETTLE
from campaigns.settings import load_settings
from campaigns.store.models import PostStatus
from sandbox.testing import SandboxHandle
from tests.support.db_fixtures import NOW, add_campaign, add_post
from tests.support.publishing_fixtures import SharedClock, attempts_of, image, make_context, post_row, tick

LEASE = timedelta(seconds=150)
DAY1 = "Day 1 of #SSWWeek: read today's page {}"


def cut_next_create(sandbox: SandboxHandle) -> None:
    """The platform takes the next create, and the connection drops before its answer."""
    sandbox.add_fault(kind="cut", platform="x", method="POST", path="/2/tweets", times=1)


def hang_next_create(sandbox: SandboxHandle) -> None:
    """The next create never reaches the platform's store (the request hangs, then times out)."""
    sandbox.add_fault(kind="hang", platform="x", method="POST", path="/2/tweets", times=1, seconds=2)


def settle(ctx: Context, clock: SharedClock) -> None:
    clock.advance(RECONCILE_SETTLE.total_seconds() + 1)
    sweep(ctx, sending_timeout=LEASE)


def test_it_does_not_take_a_post_that_differs_only_in_its_link_for_its_own(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, "ssw-week:d1:twitter", text=DAY1.format("https://example.org/day1"))
    add_post(
        session,
        "ssw-week:d2:twitter",
        text=DAY1.format("https://example.org/day2"),
        at=NOW + timedelta(minutes=1),
    )
    ctx = make_context(engine, sandbox, clock, http_timeout=0.5)
    [first] = tick(ctx)
    assert first.outcome == "published"
    clock.advance(60)
    hang_next_create(sandbox)

    [second] = tick(ctx)
    assert second.outcome == "unconfirmed"
    settle(ctx, clock)

    post = post_row(engine, "ssw-week:d2:twitter")
    # Not on the platform: it goes back to the schedule to be sent, not "found" as day 1's post.
    assert (post.status, post.remote_ids) == (PostStatus.SCHEDULED, [])
    assert len(sandbox.posts()) == 1


def test_it_finds_a_post_whose_bare_domain_x_wrapped_in_a_tco_link(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    text = DAY1.format("example.org/day1")
    add_campaign(session)
    add_post(session, "ssw-week:d1:twitter", text=text)
    ctx = make_context(engine, sandbox, clock)
    cut_next_create(sandbox)

    [result] = tick(ctx)

    [truth] = sandbox.posts()
    post = post_row(engine, "ssw-week:d1:twitter")
    assert (result.outcome, result.detail) == ("published", "found on the platform")
    assert (post.status, post.remote_ids) == (PostStatus.PUBLISHED, [truth["id"]])


def test_it_finds_a_post_with_an_image_and_a_link_despite_the_trailing_media_link(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock, tmp_path: Path
):
    text = DAY1.format("https://example.org/blog/ssw-week-day-1")
    add_campaign(session)
    media = [{"path": str(image(tmp_path)), "alt": "A dot"}]
    add_post(session, "ssw-week:d1:twitter", text=text, media=media)
    ctx = make_context(engine, sandbox, clock)
    cut_next_create(sandbox)

    [result] = tick(ctx)

    [truth] = sandbox.posts()
    assert (result.outcome, post_row(engine, "ssw-week:d1:twitter").remote_ids) == (
        "published",
        [truth["id"]],
    )


def test_it_never_records_a_remote_id_that_another_post_owns(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    """Two campaigns post the same text from one account: X refuses the second as a duplicate, and
    the post it finds is the first campaign's. The second may not claim it."""
    text = "Thank a social worker today #SSW"
    add_campaign(session)
    add_campaign(session, "wswd")
    add_post(session, "ssw-week:d1:twitter", text=text)
    add_post(session, "wswd:d1:twitter", text=text, campaign="wswd", at=NOW + timedelta(minutes=1))
    ctx = make_context(engine, sandbox, clock)
    [first] = tick(ctx)
    owner = post_row(engine, "ssw-week:d1:twitter").remote_ids
    clock.advance(60)

    [second] = tick(ctx)
    settle(ctx, clock)

    post = post_row(engine, "wswd:d1:twitter")
    assert first.outcome == "published" and second.outcome == "unconfirmed"
    assert post.remote_ids != owner
    assert (post.status, post.remote_ids) == (PostStatus.PUBLISHED, [])  # the duplicate rule: no id
    assert len(sandbox.posts()) == 1


def test_it_leaves_a_post_unconfirmed_rather_than_guess_between_two_candidates(
    session: Session, engine: Engine, sandbox: SandboxHandle, clock: SharedClock
):
    add_campaign(session)
    add_post(session, "ssw-week:d1:twitter", text=DAY1.format("example.org/day1"), status="unconfirmed")
    settings = load_settings(sandbox_url=sandbox.url)
    x = get_platform("twitter", "default", settings)
    # Someone posted it by hand twice, once with the scheme and once without: both are its text.
    x.publish(DAY1.format("https://example.org/day1"))
    x.publish(DAY1.format("example.org/day1"))
    clock.advance(RECONCILE_SETTLE.total_seconds() + 1)
    ctx = make_context(engine, sandbox, clock)

    result = reconcile_post(ctx, "ssw-week:d1:twitter")

    post = post_row(engine, "ssw-week:d1:twitter")
    assert result.outcome == "unconfirmed"
    assert (post.status, post.remote_ids) == (PostStatus.UNCONFIRMED, [])
    assert post.status_reason is not None and "not guessing" in post.status_reason
    assert attempts_of(engine, "ssw-week:d1:twitter") == []
    assert len(sandbox.posts()) == 2
