"""Broken specs: every problem is found, in one run, and pointed at by line and column."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaigns.cli import cli
from tests.support.spec_files import BUNDLED, MINIMAL, load_folder, only, problems_of, write_spec


def test_it_accepts_the_minimal_spec(tmp_path):
    assert problems_of(tmp_path, MINIMAL) == []


def test_it_suggests_the_key_that_was_meant(tmp_path):
    problem = only(problems_of(tmp_path, MINIMAL.replace("hashtags:", "hashtag:")))
    assert (problem.line, problem.col) == (6, 1)
    assert "unknown key 'hashtag'" in problem.message and "did you mean 'hashtags'" in problem.message


def test_it_reports_a_wrong_type_at_the_value(tmp_path):
    problem = only(
        problems_of(tmp_path, MINIMAL.replace("channels: [twitter, facebook]", "channels: twitter"))
    )
    assert (problem.line, problem.col) == (5, 11)
    assert "'channels' should be a list" in problem.message


def test_it_reports_a_missing_required_key(tmp_path):
    problem = only(problems_of(tmp_path, MINIMAL.replace("timezone: America/New_York\n", "")))
    assert "missing required key 'timezone'" in problem.message
    assert (problem.line, problem.col) == (1, 1)


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "message"),
    [
        (
            "start: 2027-04-05",
            "start: 2027-02-30",
            3,
            8,
            "invalid date '2027-02-30': day is out of range for month",
        ),
        ('time: "09:00"', 'time: "25:00"', 4, 7, "invalid time '25:00'"),
        ("America/New_York", "America/NewYork", 2, 11, "did you mean 'America/New_York'"),
        ("start: 2027-04-05", "every_year: third Blursday of March", 3, 13, "unknown weekday 'blursday'"),
        ("[twitter, facebook]", "[twitter, facebok]", 5, 21, "unknown channel 'facebok'"),
        ("link: https://example.org/x", "link: ftp://example.org/x", 7, 7, "must start with https://"),
        ('"Hello #SSWWeek {link}"', '"Hello #SSWWeek {lnk}"', 11, 9, "unknown placeholder {lnk}"),
        ('hashtags: ["#SSWWeek"]', 'hashtags: ["SSWWeek"]', 6, 12, "must be '#' followed by"),
    ],
)
def test_it_points_at_the_offending_value(tmp_path, old, new, line, col, message):
    assert old in MINIMAL
    problem = only(problems_of(tmp_path, MINIMAL.replace(old, new)))
    assert (problem.line, problem.col) == (line, col), str(problem)
    assert message in problem.message


def test_it_counts_tweets_as_x_does_and_says_by_how_much(tmp_path):
    long_text = "word " * 50 + "https://example.org/" + "a" * 200 + " #SSWWeek"
    problem = only(problems_of(tmp_path, MINIMAL.replace('"Hello #SSWWeek {link}"', f'"{long_text}"')))
    assert "is 282 characters as X counts them, over the limit of 280" in problem.message
    assert (problem.line, problem.col) == (11, 9)


def test_it_allows_long_facebook_text_but_not_over_facebook_limit(tmp_path):
    spec = MINIMAL.replace('"Hello #SSWWeek {link}"', "\n        facebook: " + "a" * 63_190 + " #SSWWeek")
    assert problems_of(tmp_path, spec) == []
    spec = MINIMAL.replace('"Hello #SSWWeek {link}"', "\n        facebook: " + "a" * 63_300 + " #SSWWeek")
    assert "over the limit of 63206" in only(problems_of(tmp_path, spec)).message


def test_it_warns_when_a_post_carries_none_of_the_campaign_hashtags(tmp_path):
    problems = problems_of(tmp_path, MINIMAL.replace("Hello #SSWWeek", "Hello"))
    assert {p.severity for p in problems} == {"warning"}
    assert all("none of the campaign's hashtags" in p.message for p in problems)


def test_it_refuses_the_same_text_twice_on_the_same_day(tmp_path):
    spec = MINIMAL + '      - text: "Hello #SSWWeek {link}"\n        time: "15:00"\n'
    problems = [p for p in problems_of(tmp_path, spec) if p.is_error]
    assert len(problems) == 2  # one per channel
    assert all(p.line == 12 and "posted twice on day 1" in p.message for p in problems)
    assert any("X refuses duplicate tweets" in p.message for p in problems)


def _png(path: Path, extra_bytes: int = 0) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"tEXt", b"c\x00" + b"x" * extra_bytes)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + body + chunk(b"IEND", b""))


IMAGE_POST = MINIMAL.replace(
    '- "Hello #SSWWeek {link}"',
    '- text: "Hello #SSWWeek {link}"\n        image: media/pic.png\n        alt: A picture',
)


def test_it_accepts_an_image_with_alt_text(tmp_path):
    _png(tmp_path / "media" / "pic.png")
    assert problems_of(tmp_path, IMAGE_POST) == []


@pytest.mark.parametrize(
    ("setup", "spec", "message"),
    [
        ("none", IMAGE_POST, "image 'media/pic.png' not found"),
        ("text", IMAGE_POST, "is not a PNG, JPEG, GIF or WebP image"),
        ("big", IMAGE_POST, "over facebook's 4 MB limit"),
        ("png", IMAGE_POST.replace("        alt: A picture\n", ""), "an image needs 'alt' text"),
        ("png", IMAGE_POST.replace("media/pic.png", "../outside.png"), "outside the specs folder"),
        ("png", IMAGE_POST.replace("media/pic.png", "/etc/hostname"), "outside the specs folder"),
        ("link", IMAGE_POST, "outside the specs folder"),  # media/pic.png links to ../outside.png
    ],
)
def test_it_checks_images(tmp_path, setup, spec, message):
    specs = tmp_path / "specs"
    if setup == "png":
        _png(specs / "media" / "pic.png")
        _png(tmp_path / "outside.png")
    elif setup == "text":
        (specs / "media").mkdir(parents=True)
        (specs / "media" / "pic.png").write_text("not an image")
    elif setup == "link":
        _png(tmp_path / "outside.png")
        (specs / "media").mkdir(parents=True)
        (specs / "media" / "pic.png").symlink_to(tmp_path / "outside.png")
    elif setup == "big":
        _png(specs / "media" / "pic.png", extra_bytes=4_500_000)
    problem = only(problems_of(specs, spec))
    assert message in problem.message
    assert problem.line == 12  # the image line or, for alt text, the image it belongs to


def test_it_reports_every_problem_of_every_file_in_one_run(tmp_path):
    write_spec(
        tmp_path, MINIMAL.replace("hashtags:", "hashtag:").replace("America/New_York", "Mars/Base"), "a.yaml"
    )
    write_spec(tmp_path, MINIMAL.replace('time: "09:00"', 'time: "9h"'), "b.yaml")
    result = load_folder(tmp_path)
    assert [(Path(p.path).name, p.line) for p in result.errors] == [
        ("a.yaml", 2),
        ("a.yaml", 6),
        ("b.yaml", 4),
    ]


def test_it_reports_yaml_syntax_errors_with_their_position(tmp_path):
    problem = only(problems_of(tmp_path, MINIMAL.replace("    posts:\n", "    posts: [\n")))
    assert (problem.line, problem.col) == (10, 12)
    assert problem.message == (
        "the '[' here is not closed: add ']' after the last item (and put items containing ': ' or ']' in quotes)"
    )


def test_it_reports_duplicate_keys(tmp_path):
    problem = only(
        problems_of(tmp_path, MINIMAL.replace('time: "09:00"\n', 'time: "09:00"\ntime: "10:00"\n'))
    )
    assert (problem.line, problem.col) == (5, 1)
    assert "appears twice" in problem.message


def test_it_warns_about_a_time_that_does_not_exist_in_the_spring_forward_gap(tmp_path):
    spec = MINIMAL.replace("start: 2027-04-05", "start: 2027-03-14").replace('"09:00"', '"02:30"')
    problem = only(problems_of(tmp_path, spec), "warning")
    assert (problem.line, problem.col) == (4, 7)
    assert "02:30 does not exist on 2027-03-14" in problem.message and "03:30" in problem.message


class TestTheCommand:
    def test_it_exits_0_on_the_bundled_specs(self):
        result = CliRunner().invoke(cli, ["validate", str(BUNDLED)])
        assert result.exit_code == 0, result.output
        assert "5 files checked: 0 errors, 0 warnings: valid" in result.output

    def test_it_exits_1_with_one_line_per_problem(self, tmp_path):
        path = write_spec(tmp_path, MINIMAL.replace("hashtags:", "hashtag:"))
        result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
        assert result.exit_code == 1
        assert f"{path}:6:1: error: unknown key 'hashtag' (did you mean 'hashtags'?)" in result.output
        assert "Traceback" not in result.output

    def test_it_exits_2_on_a_usage_error(self, tmp_path):
        result = CliRunner().invoke(cli, ["validate", str(tmp_path / "missing")])
        assert result.exit_code == 2

    def test_it_gives_json_for_ci_annotations(self, tmp_path):
        write_spec(tmp_path, MINIMAL.replace("hashtags:", "hashtag:"))
        result = CliRunner().invoke(cli, ["validate", "--format", "json", str(tmp_path)])
        assert result.exit_code == 1
        [problem] = json.loads(result.output)
        assert problem["line"] == 6 and problem["col"] == 1 and problem["severity"] == "error"
