"""The dashboard in a real browser: Playwright driving Debian's Chromium (nothing is downloaded).

Screenshots of the main pages go to ``test-artifacts/screenshots/`` (CAMPAIGNS_TEST_ARTIFACTS to
put them elsewhere); a few of them are kept in ``docs/`` for the README.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from campaigns.service.startup_schedule import apply_specs_once
from campaigns.store.db import make_engine, session_scope
from campaigns.store.migrate import upgrade
from campaigns.web.framework import WebConfig
from campaigns.web.serve import DashboardThread
from campaigns.web.users import add_user
from tests.support.service_processes import free_port
from tests.support.web_fixtures import PASSWORD, WEB_NOW, Clock, write_report

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("CAMPAIGNS_TEST_ARTIFACTS", REPO / "test-artifacts")) / "screenshots"
SSW = "Social Service Workforce Week"


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[str]:
    """The dashboard over the bundled specs, applied on 1 April 2027 (SSW Week starts on the 5th)."""
    specs = tmp_path / "specs"
    shutil.copytree(REPO / "campaign_specs", specs)
    engine = make_engine(f"sqlite:///{tmp_path / 'campaigns.db'}")
    upgrade(engine)
    assert apply_specs_once(engine=engine, specs_dir=specs, now=WEB_NOW).outcome == "applied"
    with session_scope(engine) as session:
        add_user(session, name="maria", role="editor", password=PASSWORD, now=WEB_NOW)
    write_report(tmp_path / "data", "ssw-week", "2027-W14")
    config = WebConfig(engine=engine, specs_dir=specs, data_dir=tmp_path / "data", now=Clock())
    server = DashboardThread(config, "127.0.0.1", free_port())
    assert server.start(), "the dashboard did not start"
    try:
        yield server.url.rstrip("/")
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():  # a failure, never a skip: .ci/run installs chromium
        pytest.fail(
            f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", pytrace=False
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.slow
def test_a_comms_officer_logs_in_checks_the_week_pauses_and_reads_a_report(browser: Browser, dashboard: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="America/New_York")
    page = context.new_page()

    page.goto(dashboard + "/")
    expect(page).to_have_url(f"{dashboard}/login?next=%2F")
    shot(page, "login")
    page.keyboard.type("maria")  # the name field has the focus; the rest by keyboard too
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{dashboard}/calendar")

    page.goto(f"{dashboard}/calendar?view=month&date=2027-04-05")  # the browser's zone, from tz.js
    for day in (
        "Monday 5 April",
        "Tuesday 6 April",
        "Wednesday 7 April",
        "Thursday 8 April",
        "Friday 9 April",
    ):
        cell = page.get_by_role("cell", name=day)
        expect(cell.get_by_text(SSW).first).to_be_visible()
    expect(page.get_by_role("cell", name="Saturday 10 April").get_by_text(SSW)).to_have_count(0)
    expect(
        page.get_by_text("09:00 (09:00 EDT)").first
    ).to_be_visible()  # viewer and campaign both in New York
    shot(page, "calendar-month")

    page.locator('a[href="/posts/ssw-week%3Ad1-0900-2%3Atwitter"]').click()  # day 1's post with an image
    expect(page.get_by_role("heading", name="As each channel shows it")).to_be_visible()
    expect(page.get_by_text("characters as X counts them").first).to_be_visible()
    image = page.get_by_role("img", name="A car without wheels").first
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0, "the post's image did not load"
    shot(page, "post-detail")

    page.get_by_role("link", name="Campaigns & pause").click()
    page.get_by_role("row", name=SSW).get_by_role("link", name="Pause…").click()
    page.get_by_role("button", name=f"Yes, pause {SSW}").click()
    banner = page.locator("#pause-banner")
    expect(banner).to_contain_text(f"{SSW} (by an operator)")
    page.get_by_role("link", name="Calendar").click()
    expect(banner).to_be_visible()  # on every page
    shot(page, "paused-banner")
    page.get_by_role("link", name="Campaigns & pause").click()
    page.get_by_role("row", name=SSW).get_by_role("link", name="Resume…").click()
    page.get_by_role("button", name=f"Yes, resume {SSW}").click()
    expect(banner).to_have_count(0)

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="View report").click()
    chart = page.get_by_role(
        "img", name="Chart engagement.png of the week's engagement; the figures are in report.csv"
    )
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 0, "the chart did not load"
    shot(page, "report")

    page.get_by_role("link", name="Needs attention").click()
    shot(page, "attention")
    page.get_by_role("link", name="Specs").click()
    shot(page, "specs")
    context.close()


@pytest.mark.slow
def test_the_calendar_reads_on_a_phone(browser: Browser, dashboard: str):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, timezone_id="Europe/London"
    )
    page = context.new_page()
    page.goto(dashboard + "/login")
    page.get_by_label("User name").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{dashboard}/calendar")
    page.goto(f"{dashboard}/calendar?view=week&date=2027-04-05")
    expect(
        page.get_by_role("cell", name="Monday 5 April").get_by_text("14:00 (09:00 EDT)").first
    ).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shot(page, "calendar-week-phone")
    context.close()
