"""The bundled campaigns: they validate, and they land on their true dates and times."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campaigns.plan import plan_posts
from campaigns.spec import load_specs
from tests.support.spec_files import BUNDLED, TODAY


@pytest.fixture(scope="module")
def bundled():
    result = load_specs([BUNDLED], today=TODAY)
    assert result.ok, "\n".join(map(str, result.problems))
    return result


def test_it_validates_every_bundled_spec_without_errors_or_warnings(bundled):
    assert bundled.problems == []
    assert {c.slug for c in bundled.campaigns} == {
        "ssw-week",
        "world-social-work-day",
        "international-day-of-families",
        "indigenous-peoples-day",
        "social-work-day-at-the-un",
    }


def test_it_plans_every_bundled_campaign_on_its_true_2027_dates(bundled):
    posts = plan_posts(bundled.campaigns, date(2027, 1, 1), date(2027, 12, 31))
    dates = {}
    for post in posts:
        dates.setdefault(post.campaign_slug, set()).add(post.date)
    assert dates["ssw-week"] == {date(2027, 4, d) for d in range(5, 10)}
    assert dates["world-social-work-day"] == {date(2027, 3, 16)}  # third Tuesday of March 2027
    assert dates["international-day-of-families"] == {date(2027, 5, 15)}
    assert dates["indigenous-peoples-day"] == {date(2027, 8, 9)}
    assert dates["social-work-day-at-the-un"] == {date(2027, 4, 5)}  # first Monday of April 2027


def test_it_gives_ssw_week_five_themes_from_the_blog(bundled):
    ssw = next(c for c in bundled.campaigns if c.slug == "ssw-week")
    themes = [d.theme or "" for d in ssw.days]
    assert len(themes) == 5
    for word, theme in zip(
        ["system", "Competency", "Data", "Case management", "Advocacy"], themes, strict=True
    ):
        assert word.lower() in theme.lower()


def test_it_keeps_hashtags_written_in_unquoted_text(bundled):
    posts = plan_posts(bundled.campaigns, date(2027, 4, 5), date(2027, 4, 5))
    first = next(p for p in posts if p.post_id == "ssw-week:d1-0900:twitter")
    assert first.text == (
        "A strong #socialservices system requires a strong workforce. Join us & @SSWAlliance in celebrating "
        "#SSWWeek. https://example.org/blog/ssw-week-day-1"
    )


def test_it_converts_local_times_to_utc_across_dst(bundled):
    posts = plan_posts(bundled.campaigns, date(2027, 1, 1), date(2027, 12, 31))
    by_id = {p.post_id: p for p in posts}
    ssw = by_id["ssw-week:d1-0900:twitter"]  # New York in April: EDT, UTC-4
    assert ssw.scheduled_at == datetime(2027, 4, 5, 13, 0, tzinfo=UTC)
    assert ssw.local_time.isoformat() == "2027-04-05T09:00:00-04:00"
    wswd = by_id["world-social-work-day:2027:d1-0830:twitter"]  # London before the last Sunday of March: GMT
    assert wswd.scheduled_at == datetime(2027, 3, 16, 8, 30, tzinfo=UTC)
    families = by_id["international-day-of-families:2027:d1-0900:facebook"]
    assert families.scheduled_at == datetime(2027, 5, 15, 13, 0, tzinfo=UTC)


def test_it_splits_the_seed_tweet_that_is_too_long_for_x(bundled):
    posts = plan_posts(bundled.campaigns, date(2027, 4, 5), date(2027, 4, 5))
    twitter = next(p for p in posts if p.post_id == "ssw-week:d1-0900-2:twitter")
    facebook = next(p for p in posts if p.post_id == "ssw-week:d1-0900-2:facebook")
    assert len(facebook.text) > 280 > len(twitter.text)
    assert twitter.media[0].alt.startswith("A car without wheels")
    assert twitter.media[0].path.name == "ssw-week-day-1.png"


def test_it_renders_placeholders_and_threads(bundled):
    posts = plan_posts(bundled.campaigns, date(2027, 4, 6), date(2027, 4, 7))
    by_id = {p.post_id: p for p in posts}
    assert by_id["ssw-week:day2-frameworks:twitter"].text == (
        "Day 2 of #SSWWeek - Competency frameworks for community workers. https://example.org/ssw-week"
    )
    thread = by_id["ssw-week:day3-thread:twitter"]
    assert len(thread.thread) == 3 and thread.text == thread.thread[0]
    assert "ssw-week:day3-thread:facebook" not in by_id  # a thread goes to X only
    assert all(p.scheduled_at.tzinfo is not None and p.local_time.tzinfo is not None for p in posts)
