"""The HTML report in headless Chromium (Debian's `chromium`; nothing is downloaded): a rendered page
with its charts on screen, and it prints on A4 and Letter without being cut."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from sqlmodel import Session

from campaigns.reports.build import render, write_files
from campaigns.reports.report import build_week_report
from campaigns.reports.weeks import Week
from tests.support.db_fixtures import add_campaign
from tests.support.report_data import add_published, add_sandbox_hashtag, add_sandbox_readings

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WEEK, TZ = Week(2027, 14), "Europe/London"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)"
    ),
]


@pytest.fixture
def report_html(tmp_path: Path) -> Path:
    from sqlmodel import create_engine

    from campaigns.store.migrate import upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    start, end = WEEK.bounds(TZ)
    with Session(engine, expire_on_commit=False) as session:
        campaign = add_campaign(session, "ssw-week", name="Social Service Workforce Week", timezone=TZ)
        for day in range(5):
            for channel in ("twitter", "facebook"):
                post_id = f"ssw-week:d{day}:{channel}"
                at = start + timedelta(days=day, hours=9)
                published = add_published(
                    session, post_id, campaign="ssw-week", channel=channel, at=at, theme=f"Theme {day}"
                )
                add_sandbox_readings(
                    session,
                    campaign="ssw-week",
                    post_id=post_id,
                    channel=channel,
                    published_at=published,
                    until=end,
                )
        add_sandbox_hashtag(
            session, campaign="ssw-week", tag="#SSWWeek", first_use=start, start=start, end=end
        )
        rendered = render(build_week_report(session, campaign, WEEK, end + timedelta(hours=8)))
    engine.dispose()
    return write_files(rendered, tmp_path / "report")


def test_chromium_shows_a_page_with_its_charts_and_prints_it(report_html: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.goto(report_html.as_uri())
            shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("L")
            box = page.locator("figure svg").first.bounding_box()
            widths = {}
            for size, width_px in (("A4", 794), ("Letter", 816)):  # the paper's width at 96 dpi
                page.set_viewport_size({"width": width_px, "height": 1100})
                widths[size] = page.evaluate("document.documentElement.scrollWidth")
                pdf = page.pdf(format=size, print_background=True)
                assert (
                    pdf.startswith(b"%PDF")
                    and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") + pdf.count(b"/Type/Page")
                    >= 1
                )
            charts = page.locator("figure svg").count()
        finally:
            browser.close()

    assert ImageStat.Stat(shot).stddev[0] > 20  # not a blank page: text, cards, charts
    assert box is not None and box["width"] > 400 and box["height"] > 100
    chart = shot.crop(
        (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
    )
    inked = sum(chart.histogram()[:200]) / (chart.width * chart.height)
    assert inked > 0.03  # bars and axes drawn, not an empty frame
    assert charts >= 5
    assert all(width <= px for width, px in zip(widths.values(), (794, 816), strict=True))  # nothing cut off
