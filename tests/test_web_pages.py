"""What the dashboard's pages show and do, over a real database."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from campaigns.store.account_states import flag_credentials
from campaigns.store.db import session_scope
from campaigns.store.metrics_models import MetricSample, ReadBudgetUse
from campaigns.store.models import Attempt, Campaign, Post
from campaigns.store.report_models import ReportDelivery
from campaigns.web.calendar import span_of
from campaigns.web.posts import siblings, weighted
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.web_fixtures import WEB_NOW, Web, post_form, write_report

REPO = Path(__file__).resolve().parents[1]


def test_a_month_spans_whole_weeks_from_monday():
    span = span_of("month", date(2027, 4, 14))
    assert (span.first, span.end) == (date(2027, 3, 29), date(2027, 5, 3))
    assert (span.previous, span.following) == (date(2027, 3, 1), date(2027, 5, 1))
    week = span_of("week", date(2027, 4, 8))
    assert (week.first, week.end) == (date(2027, 4, 5), date(2027, 4, 12))


def test_the_calendar_shows_posts_in_the_viewers_zone_and_the_campaigns(web: Web):
    with Session(web.engine) as session:
        add_campaign(session, timezone="America/New_York")
        at = datetime(2027, 4, 5, 13, 0, tzinfo=UTC)  # 09:00 in New York
        add_post(session, at=at, status="published")
        add_post(session, "ssw-week:d1p1:facebook", at=at, channel="facebook", status="cancelled")
    client = web.client("viewer")
    page = client.get("/calendar?view=week&date=2027-04-05&tz=Europe/Paris").text
    assert "15:00" in page and "09:00 EDT" in page  # Paris is UTC+2 in April
    assert "published" in page
    assert "ssw-week%3Ad1p1%3Atwitter" in page
    assert "d1p1%3Afacebook" not in page  # cancelled posts are not planned any more
    tokyo = client.get("/calendar?view=week&date=2027-04-05&tz=Asia/Tokyo").text
    assert "22:00" in tokyo


def test_the_post_page_shows_each_channels_text_with_its_weighted_length_and_attempts(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        add_post(session, text="Read https://example.org/a-very-long-link-indeed #SSWWeek", status="failed",
                 status_reason="403: duplicate content")  # fmt: skip
        add_post(session, "ssw-week:d1p1:facebook", channel="facebook", text="A longer Facebook text")
        session.add(Attempt(post_id="ssw-week:d1p1:twitter", number=1, started_at=WEB_NOW, outcome="failed",
                            error="403: duplicate content", duration_ms=120))  # fmt: skip
        session.commit()
    page = web.client("editor").get("/posts/ssw-week:d1p1:twitter").text
    assert "37 / 280" in page  # the link counts 23, whatever its length
    assert "A longer Facebook text" in page and "22 / 63206" in page
    assert "403: duplicate content" in page and "0.12 s" in page
    assert "Retry this post now" in page


def test_the_post_page_shows_its_engagement_so_far_with_a_chart(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        add_post(session, status="published", published_at=WEB_NOW, remote_ids=["1901"])
        for hours, impressions, likes in ((1, 120, 4), (3, 480, 9)):
            at = WEB_NOW + timedelta(hours=hours)
            for metric, value in (("impressions", impressions), ("likes", likes), ("reposts", 2)):
                session.add(
                    MetricSample(campaign_slug="ssw-week", channel="twitter", subject_type="post",
                                 subject="ssw-week:d1p1:twitter", metric=metric, value=value, observed_at=at,
                                 source="x.tweets")
                )  # fmt: skip
        session.commit()
    page = web.client("viewer").get("/posts/ssw-week:d1p1:twitter").text
    section = page[page.index("Engagement so far") :]
    assert "<td>480</td><td>11</td><td>2.3 %</td>" in section  # 9 likes + 2 reposts of 480 impressions
    assert 'src="data:image/png;base64,' in section
    assert "No engagement read yet" not in section


def test_a_post_not_yet_out_says_its_engagement_is_read_later(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        add_post(session)
    page = web.client("viewer").get("/posts/ssw-week:d1p1:twitter").text
    assert "No engagement read yet: it is read once the post is out." in page


def test_lengths_and_siblings():
    link = "https://example.org/" + "a" * 40
    assert weighted("twitter", link).length == 23 and weighted("facebook", link).length == 60
    assert siblings("ssw-week:d1p1:twitter", "twitter") == ["ssw-week:d1p1:facebook"]
    assert siblings("odd-id", "twitter") == []


def test_a_post_image_is_served_from_the_specs_folder_only(web: Web, tmp_path: Path):
    image = web.config.specs_dir / "media" / "day1.png"
    image.parent.mkdir()
    shutil.copy(REPO / "campaign_specs/media/ssw-week-day-1.png", image)
    outside = tmp_path / "secret.png"
    outside.write_bytes(image.read_bytes())
    with Session(web.engine) as session:
        add_campaign(session)
        add_post(session, media=[{"path": str(image), "alt": "A car without wheels"}])
        add_post(session, "ssw-week:d1p2:twitter", media=[{"path": str(outside), "alt": "x"}])
    client = web.client("viewer")
    assert 'alt="A car without wheels"' in client.get("/posts/ssw-week:d1p1:twitter").text
    response = client.get("/posts/ssw-week:d1p1:twitter/image/0")
    assert response.status_code == 200 and response.content == image.read_bytes()
    assert client.get("/posts/ssw-week:d1p2:twitter/image/0").status_code == 404
    assert client.get("/posts/ssw-week:d1p1:twitter/image/5").status_code == 404


def test_attention_lists_what_needs_a_person_and_retry_puts_a_post_back(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        add_post(session, status="failed", status_reason="403: You are not allowed to create a Tweet")
        add_post(session, "ssw-week:d1p2:twitter", status="missed", status_reason="late window passed")
        add_post(session, "ssw-week:d1p3:twitter", status="unconfirmed", status_reason="timed out")
        add_post(session, "ssw-week:d1p4:twitter", status="published")
    with session_scope(web.engine) as session:
        flag_credentials(session=session, platform="facebook", account="default", reason="token expired",
                         now=WEB_NOW)  # fmt: skip
    client = web.client("editor")
    page = client.get("/attention").text
    for expected in ("not allowed to create a Tweet", "late window passed", "timed out", "token expired"):
        assert expected in page
    assert "d1p4" not in page
    response = post_form(client, "/posts/ssw-week:d1p1:twitter/retry", {"back": "/attention"})
    assert response.status_code == 303 and response.headers["location"] == "/attention"
    with Session(web.engine) as session:
        post = session.get(Post, "ssw-week:d1p1:twitter")
        assert post is not None and post.status == "scheduled"
    again = post_form(client, "/posts/ssw-week:d1p4:twitter/retry")
    assert again.status_code == 409 and "only failed or missed posts" in again.text


def test_attention_lists_a_spent_read_budget_with_what_to_do(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        session.add(
            ReadBudgetUse(
                campaign_slug="ssw-week", channel="twitter", day=WEB_NOW.date(), reads=2000, limit=2000,
                exhausted_at=WEB_NOW,
            )
        )  # fmt: skip
        session.commit()
    page = web.client("viewer").get("/attention").text
    assert "Read budgets (1)" in page
    assert "ssw-week read 2000 of its 2000 twitter posts" in page
    assert "raise the daily read budget" in page
    assert "Nothing needs you right now" not in page


def test_an_undelivered_weekly_report_is_resent_from_the_attention_page(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        failed = ReportDelivery(campaign="ssw-week", week="2027-W12", recipient="comms@example.org",
                                status="failed", attempts=2, last_error="SMTP mail:587: refused", updated_at=WEB_NOW)  # fmt: skip
        session.add(failed)
        session.commit()
        delivery_id = failed.id
    viewer = web.client("viewer").get("/attention").text
    assert "Weekly reports not delivered (1)" in viewer and "SMTP mail:587: refused" in viewer
    assert "an editor can resend it" in viewer
    client = web.client("editor")
    response = post_form(client, f"/deliveries/{delivery_id}/resend")
    assert response.status_code == 303 and "Sent%20the%202027-W12%20report" in response.headers["location"]
    [message] = web.mailed
    assert message["To"] == "comms@example.org" and "2027-W12" in message["Subject"]
    with Session(web.engine) as session:
        row = session.get(ReportDelivery, delivery_id)
        assert row is not None and row.status == "sent" and row.attempts == 3
    again = post_form(client, f"/deliveries/{delivery_id}/resend")
    assert "already%20delivered" in again.headers["location"] and len(web.mailed) == 1
    assert "Weekly reports not delivered" not in client.get("/attention").text


def test_release_frees_an_account_only_when_it_works_again(web: Web):
    with session_scope(web.engine) as session:
        flag_credentials(
            session=session, platform="facebook", account="default", reason="expired", now=WEB_NOW
        )
    client = web.client("editor")
    web.account_works = False
    response = post_form(client, "/accounts/facebook/default/release")
    assert "still does not work" in client.get(response.headers["location"]).text
    web.account_works = True
    response = post_form(client, "/accounts/facebook/default/release")
    assert "works again" in client.get(response.headers["location"]).text
    assert web.checked_accounts == [("facebook", "default"), ("facebook", "default")]
    assert "Held accounts" not in client.get("/attention").text


def test_pause_asks_first_then_holds_the_campaign_with_a_banner_on_every_page(web: Web):
    with Session(web.engine) as session:
        add_campaign(session, name="Social Service Workforce Week")
    client = web.client("editor")
    confirm = client.get("/pause?action=pause&campaign=ssw-week").text
    assert "Yes, pause Social Service Workforce Week" in confirm
    assert 'id="pause-banner"' not in client.get("/calendar").text
    post_form(client, "/pause", {"action": "pause", "campaign": "ssw-week"})  # not confirmed
    assert 'id="pause-banner"' not in client.get("/calendar").text
    post_form(client, "/pause", {"action": "pause", "campaign": "ssw-week", "confirm": "yes"})
    for path in ("/calendar", "/attention", "/specs", "/reports"):
        assert 'id="pause-banner"' in client.get(path).text
    post_form(client, "/pause", {"action": "resume", "confirm": "yes"})  # everything
    assert 'id="pause-banner"' not in client.get("/calendar").text
    with Session(web.engine) as session:
        campaign = session.get(Campaign, "ssw-week")
        assert campaign is not None and not campaign.operator_paused


def test_the_specs_page_shows_problems_with_their_place_and_the_pending_diff(web: Web):
    bad = web.config.specs_dir / "bad.yaml"
    bad.write_text("campaign: Bad\ntimezone: UTC\nstart: 2027-05-01\nhashtag: ['#x']\nposts: [Hello]\n")
    client = web.client("editor")
    page = client.get("/specs").text
    assert f"{bad}:4:1: unknown key" in page
    assert "Nothing can be applied" in page
    bad.unlink()
    shutil.copy(REPO / "campaign_specs/world-social-work-day.yaml", web.config.specs_dir)
    page = client.get("/specs").text
    assert "created" in page and "world-social-work-day:2028:d1-0830:twitter" in page
    applied = post_form(client, "/specs/apply")
    assert "specs applied" in applied.text
    assert "No post changes" in client.get("/specs").text


def test_the_report_archive_lists_views_and_downloads_and_serves_nothing_else(web: Web):
    write_report(web.config.data_dir, "ssw-week", "2027-W14")
    write_report(web.config.data_dir, "ssw-week", "2027-W15")
    client = web.client("viewer")
    listing = client.get("/reports").text
    assert listing.index("2027-W15") < listing.index("2027-W14")
    view = client.get("/reports/ssw-week/2027-W14/report.html/view").text
    assert 'src="/reports/ssw-week/2027-W14/engagement.png"' in view
    chart = client.get("/reports/ssw-week/2027-W14/engagement.png")
    assert chart.headers["content-type"] == "image/png" and chart.content.startswith(b"\x89PNG")
    csv = client.get("/reports/ssw-week/2027-W14/report.csv?download=1")
    assert "attachment" in csv.headers["content-disposition"] and csv.text.startswith("day,impressions")
    html = client.get("/reports/ssw-week/2027-W14/report.html")
    assert "sandbox" in html.headers["content-security-policy"]
    for path in ("/reports/ssw-week/2027-W14/..%2F..%2Fcampaigns.db", "/reports/..%2F..%2F/2027-W14/report.csv",
                 "/reports/ssw-week/2027-W99/report.csv"):  # fmt: skip
        assert client.get(path).status_code == 404


def test_health_is_the_same_check_as_the_cli(web: Web):
    from campaigns.health import Check, Health

    client = web.client("viewer")
    assert "campaigns health" in client.get("/health").text
    object.__setattr__(
        web.config, "health", lambda: Health([Check("beat", False, "silent: b1 last ticked 2 min ago")])
    )
    page = client.get("/health").text
    assert "FAIL" in page and "silent: b1 last ticked 2 min ago" in page


def test_the_calendar_skips_days_outside_the_month_range(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
        add_post(session, at=datetime(2027, 6, 1, 9, tzinfo=UTC))
    page = web.client("viewer").get("/calendar?view=month&date=2027-04-01&tz=UTC").text
    assert "0 posts" in page
