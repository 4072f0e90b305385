"""The pure diff: planned posts + current rows -> changes by stable id. No database involved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from campaigns.planned import Media
from campaigns.store.campaign_changes import CampaignChange, CampaignKind, diff_campaigns
from campaigns.store.diff import (
    Kind,
    Window,
    diff_posts,
    planning_window,
    post_values,
)
from campaigns.store.models import Campaign, Post, PostStatus
from tests.support.db_fixtures import NOW, FakeSpec, planned

HOUR = timedelta(hours=1)
WINDOW = Window(NOW - 6 * HOUR, NOW + timedelta(days=400))
PID = "ssw-week:d1p1:twitter"


def row(post=None, *, status: str = "scheduled", **values: object) -> Post:
    """The row that applying ``post`` would have stored, in ``status``, with ``values`` changed."""
    post = post or planned()
    fields = post_values(post) | {"status": status, "created_at": NOW, "updated_at": NOW} | values
    return Post.model_validate(
        {"id": post.post_id, "campaign_slug": post.campaign_slug, "channel": post.channel, **fields}
    )


def diff(plan, rows):
    return diff_posts(plan, rows, window=WINDOW, now=NOW)


def test_it_creates_a_post_that_has_no_row():
    [change] = diff([planned()], [])
    assert (change.kind, change.post_id, change.new_at, change.new_status) == (
        Kind.CREATED,
        PID,
        NOW + HOUR,
        PostStatus.SCHEDULED,
    )


def test_it_records_a_new_post_already_past_its_late_window_as_missed():
    late = planned(at=NOW - 3 * HOUR, late_window=2 * HOUR)
    [change] = diff([late], [])
    assert (change.kind, change.new_status) == (Kind.CREATED, PostStatus.MISSED)
    assert "late window" in change.note


def test_it_reports_nothing_when_the_row_matches_the_plan():
    assert diff([planned()], [row()]) == []


def test_it_moves_a_post_whose_time_changed():
    [change] = diff([planned(at=NOW + 2 * HOUR)], [row()])
    assert (change.kind, change.old_at, change.new_at, change.fields) == (
        Kind.MOVED,
        NOW + HOUR,
        NOW + 2 * HOUR,
        (),
    )


@pytest.mark.parametrize(
    ("edit", "fields"),
    [
        ({"text": "New words"}, ("text",)),
        ({"thread": ("one", "two")}, ("text", "thread")),
        ({"media": (Media(Path("/specs/media/a.png"), "A chart"),)}, ("media",)),
        ({"account": "second"}, ("account",)),
        ({"late_window": HOUR}, ("late_window_seconds",)),
    ],
)
def test_it_edits_a_post_whose_content_changed(edit: dict[str, object], fields: tuple[str, ...]):
    [change] = diff([planned(**edit)], [row()])  # type: ignore[arg-type]
    assert (change.kind, change.fields, change.new_status) == (Kind.EDITED, fields, PostStatus.SCHEDULED)


def test_it_reports_a_move_and_an_edit_together():
    [change] = diff([planned(at=NOW + 2 * HOUR, text="New words")], [row()])
    assert (change.kind, change.fields) == (Kind.MOVED, ("text",))


@pytest.mark.parametrize("status", ["published", "sending", "unconfirmed"])
def test_it_leaves_a_post_that_may_be_on_the_platform_alone_when_its_spec_changes(status: str):
    [change] = diff([planned(text="Corrected words")], [row(status=status)])
    assert (change.kind, change.new_status) == (Kind.LEFT_ALONE, None)
    assert change.note == f"{status} post {PID} changed in the spec; left as {status}"


@pytest.mark.parametrize("status", ["published", "sending", "unconfirmed"])
def test_it_leaves_a_post_that_may_be_on_the_platform_alone_when_it_leaves_the_spec(status: str):
    [change] = diff([], [row(status=status)])
    assert change.kind == Kind.LEFT_ALONE
    assert change.note == f"{status} post {PID} removed from the spec; left as {status}"


@pytest.mark.parametrize("status", ["scheduled", "claimed", "failed", "missed"])
def test_it_cancels_a_post_removed_from_the_spec(status: str):
    [change] = diff([], [row(status=status)])
    assert (change.kind, change.status, change.new_status) == (
        Kind.CANCELLED,
        PostStatus(status),
        PostStatus.CANCELLED,
    )


def test_it_leaves_rows_outside_the_window_and_cancelled_rows_alone():
    old = row(planned("old", at=NOW - 7 * HOUR))
    far = row(planned("far", at=NOW + timedelta(days=401)))
    gone = row(planned("gone"), status="cancelled")
    assert diff([], [old, far, gone]) == []


def test_it_ignores_planned_posts_outside_the_window():
    assert diff([planned(at=NOW - 7 * HOUR), planned("later", at=NOW + timedelta(days=402))], []) == []


def test_it_moves_a_post_into_the_window_from_outside_it():
    [change] = diff([planned(at=NOW + HOUR)], [row(planned(at=NOW + timedelta(days=500)))])
    assert (change.kind, change.new_at) == (Kind.MOVED, NOW + HOUR)


def test_it_restores_a_cancelled_post_that_is_back_in_the_spec():
    [change] = diff([planned()], [row(status="cancelled")])
    assert (change.kind, change.new_status) == (Kind.RESTORED, PostStatus.SCHEDULED)


def test_it_releases_a_claimed_post_that_changed_so_the_new_version_goes_out():
    [change] = diff([planned(text="New words")], [row(status="claimed")])
    assert (change.kind, change.status, change.new_status) == (
        Kind.EDITED,
        PostStatus.CLAIMED,
        PostStatus.SCHEDULED,
    )


@pytest.mark.parametrize("status", ["failed", "missed"])
def test_it_reschedules_a_failed_or_missed_post_that_is_fixed_in_time(status: str):
    fixed = planned(at=NOW - HOUR, text="Shorter words")
    [change] = diff([fixed], [row(fixed, status=status, text="Far too long words")])
    assert (change.kind, change.new_status) == (Kind.EDITED, PostStatus.SCHEDULED)


@pytest.mark.parametrize("status", ["failed", "missed"])
def test_it_keeps_a_failed_or_missed_post_as_it_is_when_the_fix_comes_too_late(status: str):
    fixed = planned(at=NOW - 5 * HOUR, late_window=4 * HOUR, text="Shorter words")
    [change] = diff([fixed], [row(fixed, status=status, text="Far too long words")])
    assert (change.kind, change.new_status) == (Kind.EDITED, PostStatus(status))


def test_it_refuses_two_planned_posts_with_one_id():
    with pytest.raises(ValueError, match=f"two planned posts have the id {PID}"):
        diff([planned(), planned(at=NOW + 2 * HOUR)], [])


def test_it_lists_changes_soonest_first():
    plan = [planned("c", at=NOW + 3 * HOUR), planned("a", at=NOW + HOUR), planned("b", at=NOW + 2 * HOUR)]
    assert [c.post_id for c in diff(plan, [])] == ["a", "b", "c"]


def test_it_stores_what_the_planner_rendered():
    post = planned(thread=("1/2 first", "2/2 second"), media=(Media(Path("/specs/a.png"), "A chart"),))
    values = post_values(replace(post, link="https://example.org"))
    assert values["text"] == "1/2 first"
    assert values["thread"] == ["1/2 first", "2/2 second"]
    assert values["media"] == [{"path": "/specs/a.png", "alt": "A chart"}]
    assert values["missed_after"] == NOW + HOUR + timedelta(hours=6)
    assert values["late_window_seconds"] == 6 * 3600
    assert values["link"] == "https://example.org"


def test_it_plans_from_the_longest_late_window_back_to_the_horizon_ahead():
    window = planning_window(NOW, [HOUR, 12 * HOUR], timedelta(days=30))
    assert (window.start, window.end) == (NOW - 12 * HOUR, NOW + timedelta(days=30))
    assert planning_window(NOW, []).start == NOW - 6 * HOUR


def campaign_row(spec: FakeSpec, **values: object) -> Campaign:
    fields = {
        "slug": spec.slug,
        "name": spec.name,
        "source": spec.source,
        "content_hash": spec.content_hash,
        "timezone": spec.timezone,
        "late_window_seconds": int(spec.late_window.total_seconds()),
        "spec_paused": spec.paused,
        "planned_at": NOW,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Campaign.model_validate(fields | values)


def test_it_reports_campaigns_added_removed_and_back():
    kept, added, gone, back = FakeSpec("kept"), FakeSpec("added"), FakeSpec("gone"), FakeSpec("back")
    rows = [campaign_row(kept), campaign_row(gone), campaign_row(back, removed_at=NOW - HOUR)]
    assert diff_campaigns([kept, added, back], rows) == [
        CampaignChange(CampaignKind.ADDED, "added", added.source),
        CampaignChange(CampaignKind.RETURNED, "back", back.source),
        CampaignChange(CampaignKind.REMOVED, "gone", gone.source),
    ]


def test_it_reports_a_campaign_paused_or_unpaused_by_its_spec_and_changed_settings():
    spec = FakeSpec(paused=True, timezone="Europe/Paris", late_window=2 * HOUR)
    assert diff_campaigns([spec], [campaign_row(spec, spec_paused=False, timezone="UTC")]) == [
        CampaignChange(CampaignKind.PAUSED, spec.slug),
        CampaignChange(CampaignKind.UPDATED, spec.slug, "timezone: UTC -> Europe/Paris"),
    ]
    assert diff_campaigns([FakeSpec()], [campaign_row(FakeSpec(), spec_paused=True)]) == [
        CampaignChange(CampaignKind.UNPAUSED, "ssw-week")
    ]
    assert diff_campaigns([FakeSpec()], [campaign_row(FakeSpec())]) == []
