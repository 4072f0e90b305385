"""`campaigns plan` in its three formats, and `campaigns schema`."""

from __future__ import annotations

import json
from datetime import datetime

import icalendar
import jsonschema
from click.testing import CliRunner

from campaigns.cli import cli
from campaigns.spec import yaml_tree
from tests.support.spec_files import BUNDLED, MINIMAL, write_spec

WINDOW = ["--from", "2027-01-01", "--to", "2027-12-31"]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_it_lists_every_bundled_campaign_as_json_with_utc_and_local_times():
    posts = json.loads(run("plan", str(BUNDLED), *WINDOW, "--format", "json"))
    assert {p["campaign"] for p in posts} == {
        "Social Service Workforce Week",
        "World Social Work Day",
        "International Day of Families",
        "International Day of the World's Indigenous Peoples",
        "Social Work Day at the UN",
    }
    times = [p["scheduled_at"] for p in posts]
    assert times == sorted(times) and all(t.endswith("Z") for t in times)
    first = next(p for p in posts if p["post_id"] == "ssw-week:d1-0900-2:twitter")
    assert (
        first["local_time"] == "2027-04-05T09:00:00-04:00" and first["scheduled_at"] == "2027-04-05T13:00:00Z"
    )
    assert first["media"][0]["alt"].startswith("A car without wheels")
    for key in (
        "campaign",
        "post_id",
        "day",
        "channel",
        "scheduled_at",
        "local_time",
        "timezone",
        "text",
        "media",
        "thread",
    ):
        assert key in first
    assert len({p["post_id"] for p in posts}) == len(posts)


def test_it_writes_an_icalendar_file_a_calendar_program_can_import():
    output = CliRunner().invoke(cli, ["plan", str(BUNDLED), *WINDOW, "--format", "ics"]).stdout_bytes
    calendar = icalendar.Calendar.from_ical(output)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(json.loads(run("plan", str(BUNDLED), *WINDOW, "--format", "json")))
    wswd = next(e for e in events if str(e["uid"]).startswith("world-social-work-day:2027:d1-0830:twitter"))
    assert wswd.decoded("dtstart") == datetime.fromisoformat("2027-03-16T08:30:00+00:00")
    assert "World Social Work Day" in str(wswd["summary"])


def test_it_draws_a_calendar_table_for_people():
    output = run("plan", str(BUNDLED), "--from", "2027-04-05", "--to", "2027-04-05")
    assert "Mon 5 Apr 2027" in output and "09:00 EDT" in output and "13:00Z" in output
    assert "posts from 2 campaigns" in output


def test_it_plans_nothing_and_exits_1_when_a_spec_is_invalid(tmp_path):
    write_spec(tmp_path, MINIMAL.replace("hashtags:", "hashtag:"))
    result = CliRunner().invoke(cli, ["plan", str(tmp_path), *WINDOW])
    assert result.exit_code == 1 and "unknown key 'hashtag'" in result.output


def test_it_prints_a_json_schema_that_the_bundled_specs_satisfy():
    schema = json.loads(run("schema"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(BUNDLED.glob("*.yaml")):
        data, _ = yaml_tree.load(path.read_text(encoding="utf-8"))
        assert list(validator.iter_errors(data)) == [], path
    bad, _ = yaml_tree.load(MINIMAL.replace("hashtags:", "hashtag:"))
    assert list(validator.iter_errors(bad))
