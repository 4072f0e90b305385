"""`campaigns report`: by slug or name, a given ISO week, html/png files or csv/json on stdout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from campaigns.cli import cli
from campaigns.reports.weeks import Week
from campaigns.settings import get_settings
from campaigns.spec.model import json_schema
from tests.support.db_fixtures import add_campaign
from tests.support.report_data import add_published, add_sandbox_readings

WEEK, TZ = Week(2027, 14), "America/New_York"


@pytest.fixture
def run(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def week_of_data(session: Session) -> None:
    add_campaign(session, "ssw-week", name="Social Service Workforce Week", timezone=TZ)
    start, end = WEEK.bounds(TZ)
    published = add_published(
        session, "ssw-week:d1:twitter", campaign="ssw-week", channel="twitter", at=start + timedelta(hours=13)
    )
    add_sandbox_readings(
        session,
        campaign="ssw-week",
        post_id="ssw-week:d1:twitter",
        channel="twitter",
        published_at=published,
        until=end,
    )
    session.rollback()


def test_it_archives_the_html_and_pngs_of_a_campaign_named_as_people_call_it(run, week_of_data, tmp_path):
    result = run.invoke(
        cli, ["report", "Social Service Workforce Week", "--week", "2027-W14"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "var" / "reports" / "ssw-week" / "2027-W14"
    assert result.output.strip() == f"ssw-week 2027-W14: {folder / 'report.html'}"
    assert (folder / "engagements-by-day.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (folder / "report.html").read_text()


def test_csv_and_json_go_to_standard_output(run, week_of_data):
    csv_out = run.invoke(
        cli, ["report", "ssw-week", "--week", "2027-W14", "--format", "csv"], catch_exceptions=False
    )
    assert csv_out.output.startswith("campaign,week,section,channel,item,this_week,previous_week\n")
    assert "ssw-week,2027-W14,headline,twitter,impressions," in csv_out.output
    document = json.loads(
        run.invoke(cli, ["report", "ssw-week", "--week", "2027-W14", "--format", "json"]).output
    )
    assert document["week"] == "2027-W14" and document["has_data"] and document["top_posts"]


def test_compare_prints_the_week_next_to_the_one_before(run, week_of_data):
    result = run.invoke(cli, ["report", "ssw-week", "--week", "2027-W14", "--compare"])
    assert "ssw-week 2027-W14 vs the week before" in result.output
    assert "twitter impressions" in result.output and "on time" in result.output


def test_a_week_without_data_says_so(run, week_of_data):
    result = run.invoke(cli, ["report", "ssw-week", "--week", "2027-W20"], catch_exceptions=False)
    assert result.exit_code == 0 and "(no data that week: the report says so)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "nope"], "Error: no campaign 'nope' in the schedule (campaigns: ssw-week)"),
        (["report", "ssw-week", "--week", "2027-14"], "Error: week '2027-14' is not like 2027-W14"),
    ],
)
def test_mistakes_are_one_line(run, week_of_data, args, message):
    result = run.invoke(cli, args)
    assert result.exit_code == 1 and result.output.startswith(message) and result.output.count("\n") == 1


def test_contacts_are_part_of_the_spec_schema():
    properties = json_schema()["properties"]
    assert properties["contacts"]["items"]["pattern"] and "report_to" in properties
