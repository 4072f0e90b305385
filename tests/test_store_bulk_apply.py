"""The set-based apply leaves the database exactly as applying the same diff post by post would.

The per-post reference below is the apply this project had before (one conditional UPDATE or ORM
INSERT per change, through ``states.transition``): two databases of the same backend start equal,
get the same diff, one through each path, and must end equal, row by row and column by column.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from campaigns.planned import Media, PlannedPost
from campaigns.store.bulk_apply import ScheduleConflict, apply_diff
from campaigns.store.campaign_changes import CampaignLike
from campaigns.store.db import make_engine
from campaigns.store.diff import Change, Kind, ScheduleDiff, Window, merge_diffs, post_values
from campaigns.store.migrate import upgrade
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.store.reconcile import campaign_diff, campaign_plans, stored_campaigns
from campaigns.store.states import transition, update_if_status
from tests.support.db_fixtures import NOW, FakeSpec, ThrowawayPostgres, planned

WINDOW = Window(NOW - timedelta(hours=6), NOW + timedelta(days=400))
ALPHA, BETA = FakeSpec(slug="alpha", name="Alpha"), FakeSpec(slug="beta", name="Beta")
POSTS = 2_000


@pytest.fixture
def twin(engine: Engine, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A second empty migrated database on the same backend as ``engine``."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'twin.db'}"
    else:
        postgres: ThrowawayPostgres = request.getfixturevalue("throwaway_postgres")
        url = postgres.create()
    other = make_engine(url)
    upgrade(other)
    yield other
    other.dispose()


def first_plan() -> list[PlannedPost]:
    """2,000 posts over two campaigns and two channels; the first ten are already too late."""
    posts = []
    for n in range(POSTS):
        slug, channel = campaign_and_channel(n)
        at, late = (
            (NOW - timedelta(hours=5), timedelta(hours=2))
            if n < 10
            else (NOW + timedelta(hours=1 + n), timedelta(hours=6))
        )
        media = (Media(Path(f"/specs/media/{n}.png"), f"picture {n}"),) if n % 7 == 0 else ()
        thread = (f"part one of {n}", f"part two of {n}") if n % 11 == 0 and channel == "twitter" else ()
        posts.append(
            planned(
                f"{slug}:p{n}:{channel}",
                at=at,
                text=f"post {n}",
                channel=channel,
                campaign=slug,
                media=media,
                thread=thread,
                late_window=late,
            )
        )
    return posts


def campaign_and_channel(n: int) -> tuple[str, str]:
    return ("alpha", "beta")[n // 10 % 2], ("twitter", "facebook")[n % 2]


def post_id(n: int) -> str:
    slug, channel = campaign_and_channel(n)
    return f"{slug}:p{n}:{channel}"


def second_plan(first: Sequence[PlannedPost]) -> list[PlannedPost]:
    """Edits, moves and removals of posts in every status (see ``set_statuses``), beta's spec gone,
    and new posts."""
    posts = []
    for n, post in enumerate(first):
        last, even = n % 10, n // 20 % 2 == 0
        if post.campaign_slug == "beta" or last in (3, 7) or (last in (5, 8) and not even):
            continue  # removed: cancelled, or left alone if (being) published
        if last in (1, 6, 9):
            post = replace(post, text=f"post {n}, reworded")
        elif last in (2, 5, 8):
            post = replace(post, scheduled_at=post.scheduled_at + timedelta(minutes=30))
        elif last == 4:
            post = replace(
                post, scheduled_at=post.scheduled_at + timedelta(hours=2), account="alliance-africa"
            )
        posts.append(post)
    posts += [
        planned(f"alpha:new{n}:twitter", at=NOW + timedelta(hours=n), text=f"new {n}", campaign="alpha")
        for n in range(50)
    ]
    return posts


def set_statuses(engine: Engine) -> None:
    """Move posts on as workers and the dispatcher would (two in three posts; by the last digit of
    their number): every status the diff treats differently."""
    paths = {
        5: ["claimed"],
        6: ["claimed", "sending"],
        7: ["claimed", "sending", "published"],
        8: ["claimed", "sending", "failed"],
        9: ["claimed", "sending", "unconfirmed"],
        0: ["cancelled"],
    }
    with Session(engine) as session:
        for n in range(10, POSTS):
            status = PostStatus.SCHEDULED
            for step in paths.get(n % 10, []) if n % 3 else []:
                moved = transition(
                    session=session, post_id=post_id(n), expected=status, to=PostStatus(step), now=NOW
                )
                assert moved
                status = PostStatus(step)
            if n % 10 in (1, 2) and n % 3:  # a backoff: an edit keeps it, a move drops it
                backoff = {"next_attempt_at": NOW + timedelta(minutes=10)}
                assert update_if_status(
                    session=session, post_id=post_id(n), expected=status, now=NOW, values=backoff
                )
        session.commit()


def diff_of(
    engine: Engine, specs: Sequence[CampaignLike], plan: Sequence[PlannedPost], now: datetime
) -> ScheduleDiff:
    with Session(engine) as session:
        plans = campaign_plans(specs, plan, stored_campaigns(session))
        return merge_diffs(
            [campaign_diff(session=session, plan=p, window=WINDOW, now=now) for p in plans], WINDOW
        )


def bulk(engine: Engine, specs: Sequence[CampaignLike], diff: ScheduleDiff, now: datetime) -> None:
    with Session(engine) as session:
        apply_diff(session=session, specs=specs, diff=diff, now=now)
        session.commit()


def per_post(engine: Engine, specs: Sequence[CampaignLike], diff: ScheduleDiff, now: datetime) -> None:
    """The reference: the project's former apply, one statement per change."""
    with Session(engine) as session:
        for spec in specs:
            values: dict[str, Any] = {
                "name": spec.name,
                "source": spec.source,
                "content_hash": spec.content_hash,
                "timezone": spec.timezone,
                "spec_paused": spec.paused,
                "late_window_seconds": int(spec.late_window.total_seconds()),
                "planned_at": now,
                "removed_at": None,
                "updated_at": now,
            }
            row = session.get(Campaign, spec.slug)
            session.add(
                Campaign(slug=spec.slug, created_at=now, **values)
                if row is None
                else row.sqlmodel_update(values)
            )
        loaded = {spec.slug for spec in specs}
        for row in session.exec(select(Campaign)).scalars():
            if row.slug not in loaded and row.removed_at is None:
                row.removed_at, row.updated_at = now, now
                session.add(row)
        session.flush()
        for change in diff.posts:
            assert reference_change(session, change, now)
        session.commit()


def reference_change(session: Session, change: Change, now: datetime) -> bool:
    if change.kind == Kind.LEFT_ALONE:
        return True
    if change.kind == Kind.CREATED:
        assert change.planned is not None and change.new_status is not None
        late = change.new_status == PostStatus.MISSED
        reason = "added after its late window had passed" if late else None
        session.add(
            Post(
                id=change.post_id,
                campaign_slug=change.campaign,
                channel=change.channel,
                status=change.new_status.value,
                status_reason=reason,
                created_at=now,
                updated_at=now,
                **post_values(change.planned),
            )
        )
        return True
    assert change.status is not None and change.new_status is not None
    values: dict[str, Any] = {}
    if change.planned is not None:
        values = post_values(change.planned)
        if change.kind != Kind.EDITED:
            values["next_attempt_at"] = None
    if change.new_status == change.status:
        return update_if_status(
            session=session, post_id=change.post_id, expected=change.status, now=now, values=values
        )
    values |= {"claimed_at": None, "claimed_by": None, "status_reason": None}
    if change.new_status == PostStatus.CANCELLED:
        values["status_reason"] = "removed from the spec"
    else:
        values["next_attempt_at"] = None
    return transition(
        session=session,
        post_id=change.post_id,
        expected=change.status,
        to=change.new_status,
        now=now,
        values=values,
    )


def table_rows(engine: Engine, model: type[Post] | type[Campaign]) -> list[dict[str, Any]]:
    table = model.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(table).order_by(*table.primary_key))]


def test_bulk_apply_leaves_the_database_as_the_per_post_apply_does(engine: Engine, twin: Engine):
    first = first_plan()
    created = diff_of(engine, [ALPHA, BETA], first, NOW)
    assert {c.kind for c in created.posts} == {Kind.CREATED}
    assert sum(c.new_status == PostStatus.MISSED for c in created.posts) == 10
    bulk(engine, [ALPHA, BETA], created, NOW)
    per_post(twin, [ALPHA, BETA], diff_of(twin, [ALPHA, BETA], first, NOW), NOW)
    assert table_rows(engine, Post) == table_rows(twin, Post)
    assert len(table_rows(engine, Post)) == POSTS

    set_statuses(engine)
    set_statuses(twin)
    later = NOW + timedelta(minutes=5)
    second = second_plan(first)
    changed = diff_of(engine, [ALPHA], second, later)
    assert changed == diff_of(twin, [ALPHA], second, later)
    kinds = {(c.kind, c.status, c.new_status) for c in changed.posts}
    scheduled, cancelled, claimed = PostStatus.SCHEDULED, PostStatus.CANCELLED, PostStatus.CLAIMED
    assert {
        (Kind.CREATED, None, scheduled),
        (Kind.EDITED, scheduled, scheduled),
        (Kind.MOVED, scheduled, scheduled),
        (Kind.MOVED, claimed, scheduled),  # released, to go out in its new version
        (Kind.MOVED, PostStatus.FAILED, scheduled),
        (Kind.CANCELLED, scheduled, cancelled),
        (Kind.CANCELLED, claimed, cancelled),
        (Kind.CANCELLED, PostStatus.FAILED, cancelled),
        (Kind.LEFT_ALONE, PostStatus.PUBLISHED, None),
        (Kind.LEFT_ALONE, PostStatus.SENDING, None),
        (Kind.LEFT_ALONE, PostStatus.UNCONFIRMED, None),
    } <= kinds

    bulk(engine, [ALPHA], changed, later)
    per_post(twin, [ALPHA], changed, later)

    assert table_rows(engine, Post) == table_rows(twin, Post)
    assert table_rows(engine, Campaign) == table_rows(twin, Campaign)
    restored = diff_of(engine, [ALPHA, BETA], first, later + timedelta(minutes=1))
    assert Kind.RESTORED in {c.kind for c in restored.posts}
    bulk(engine, [ALPHA, BETA], restored, later + timedelta(minutes=1))
    per_post(twin, [ALPHA, BETA], restored, later + timedelta(minutes=1))
    assert table_rows(engine, Post) == table_rows(twin, Post)


def test_bulk_apply_names_a_post_that_moved_since_the_diff_and_writes_nothing(engine: Engine):
    plan = first_plan()[10:20]
    bulk(engine, [ALPHA, BETA], diff_of(engine, [ALPHA, BETA], plan, NOW), NOW)
    edited = [replace(p, text=p.text + " again") for p in plan]
    stale = diff_of(engine, [ALPHA, BETA], edited, NOW)
    moved_on = plan[5].post_id
    with Session(engine) as dispatcher:
        transition(
            session=dispatcher,
            post_id=moved_on,
            expected=PostStatus.SCHEDULED,
            to=PostStatus.CLAIMED,
            now=NOW,
        )
        dispatcher.commit()

    with Session(engine) as session, pytest.raises(ScheduleConflict, match=moved_on):
        apply_diff(session=session, specs=[ALPHA, BETA], diff=stale, now=NOW)
    assert all(not row["text"].endswith("again") for row in table_rows(engine, Post))
