"""Spec mistakes get one line in the comms staff's words, at the spot to fix: never the parser's text.

Each case goes through the whole loader, as `campaigns validate` does, and checks the exact message
and its line:col.
"""

from __future__ import annotations

import pytest

from campaigns.spec import suggest, yaml_errors
from tests.support.spec_files import MINIMAL, only, problems_of

BAD_INDENT = (
    "the indentation is off: line this up with the keys or '- ' items it belongs with "
    "(the same number of spaces for each item at the same level)"
)


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "message"),
    [
        pytest.param(
            "    posts:\n",
            "\tposts:\n",
            10,
            1,
            "indent with spaces, not tabs (this line has a tab)",
            id="tab",
        ),
        pytest.param(
            "      - ",
            "    \t  - ",
            11,
            5,
            "indent with spaces, not tabs (this line has a tab)",
            id="tab-inside",
        ),
        pytest.param(
            "timezone: America/New_York",
            "timezone America/New_York",
            2,
            1,
            "missing ':' after the key: write 'timezone: America/New_York'",
            id="missing-colon",
        ),
        pytest.param(
            "    posts:\n",
            "    posts\n",
            10,
            5,
            "missing ':' after the key: write 'posts:'",
            id="missing-colon-alone",
        ),
        pytest.param(
            '"Hello #SSWWeek {link}"',
            '"Hello #SSWWeek {link}',
            11,
            9,
            'this double quote is never closed: add a closing " at the end of the text',
            id="unclosed-double-quote",
        ),
        pytest.param(
            "campaign: Test Campaign",
            "campaign: 'Test Campaign",
            1,
            11,
            "this single quote is never closed: add a closing ' at the end of the text",
            id="unclosed-single-quote",
        ),
        pytest.param(
            "channels: [twitter, facebook]",
            "channels: [twitter, facebook",
            5,
            11,
            "the '[' here is not closed: add ']' after the last item (and put items containing ': ' or ']' in quotes)",
            id="unclosed-bracket",
        ),
        pytest.param("    posts:\n", "   posts:\n", 10, 4, BAD_INDENT, id="indent-less"),
        pytest.param("start: 2027-04-05", "  start: 2027-04-05", 3, 3, BAD_INDENT, id="indent-more"),
        pytest.param(
            "campaign: Test Campaign",
            "campaign: Test: Campaign",
            1,
            11,
            "a value containing ': ' must be put in quotes",
            id="colon-in-value",
        ),
        pytest.param(
            "campaign: Test Campaign",
            "campaign: @Test",
            1,
            11,
            "a value cannot start with '@' in YAML: put the value in quotes",
            id="at-sign",
        ),
        pytest.param(
            'time: "09:00"',
            'time: "09:00" sharp',
            4,
            15,
            "text after the closing quote: put the whole value inside the quotes",
            id="text-after-quote",
        ),
        pytest.param(
            "link: https://example.org/x",
            'link: "https:\\qexample.org"',
            7,
            14,
            "unknown escape after '\\' in double quotes: write '\\\\' for a backslash, or use single quotes",
            id="escape",
        ),
        pytest.param(
            "link: https://example.org/x",
            "link: https://example.org/x\x07",
            7,
            28,
            "the file contains a character YAML does not allow (U+0007): delete it",
            id="control-character",
        ),
        pytest.param(
            'time: "09:00"',
            'time:"09:00"',
            4,
            5,
            "put a space after the ':' of a key (write 'key: value')",
            id="no-space-after-colon",
        ),
        pytest.param(
            "    posts:\n",
            "    posts:\nsocial service workers come together today to advocate\n",
            11,
            1,
            "this line is text without a key: indent it to continue the text above, or write 'key: text'",
            id="text-without-key",
        ),
        pytest.param(
            "campaign: Test Campaign",
            "campaign: " + "[" * 40 + "]" * 40,
            1,
            42,
            "nesting deeper than 32 levels",
            id="deep-nesting",
        ),
    ],
)
def test_a_syntax_mistake_gets_the_projects_words_at_the_spot(tmp_path, old, new, line, col, message):
    assert old in MINIMAL
    problem = only(problems_of(tmp_path, MINIMAL.replace(old, new, 1)))
    assert (problem.line, problem.col, problem.message) == (line, col, message)


def test_no_parser_wording_is_ever_passed_through(tmp_path):
    """Whatever the mistake, the message is one of the project's own (none of libyaml's phrases)."""
    library_phrases = ("could not find", "while scanning", "while parsing", "did not find", "found character")
    broken = [
        MINIMAL[:cut] + piece + MINIMAL[cut:]
        for cut in range(0, len(MINIMAL), 7)
        for piece in ('"', "\t", "[")
    ]
    for text in broken:
        for problem in problems_of(tmp_path, text):
            assert not any(phrase in problem.message for phrase in library_phrases), problem


def test_an_unknown_timezone_suggests_the_name_to_write(tmp_path):
    problem = only(problems_of(tmp_path, MINIMAL.replace("America/New_York", "New York")))
    assert (problem.line, problem.col) == (2, 11)
    assert problem.message == "unknown timezone 'New York' (did you mean 'America/New_York'?)"
    assert "IANA" not in problem.message


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("london", "unknown timezone 'london' (did you mean 'Europe/London'?)"),
        ("America/NewYork", "unknown timezone 'America/NewYork' (did you mean 'America/New_York'?)"),
        ("Nairobi", "unknown timezone 'Nairobi' (did you mean 'Africa/Nairobi'?)"),
        ("Paris, France", "unknown timezone 'Paris, France' (did you mean 'Europe/Paris'?)"),
        (
            "Mars/Olympus",
            "unknown timezone 'Mars/Olympus': write a region and a city, such as "
            "America/New_York, Europe/London or Africa/Nairobi",
        ),
    ],
)
def test_timezone_suggestions_never_say_iana(written, message):
    assert suggest.timezone_message(written) == message
    assert "IANA" not in message


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "message"),
    [
        ("hashtags:", "hashtag:", 6, 1, "unknown key 'hashtag' (did you mean 'hashtags'?)"),
        ("timezone:", "Time_Zone:", 2, 1, "unknown key 'Time_Zone' (did you mean 'timezone'?)"),
        ("    posts:", "    post:", 10, 5, "unknown key 'post' (did you mean 'posts'?)"),
    ],
)
def test_an_unknown_key_suggests_the_nearest_valid_key(tmp_path, old, new, line, col, message):
    problems = problems_of(tmp_path, MINIMAL.replace(old, new, 1))
    assert any((p.line, p.col, p.message) == (line, col, message) for p in problems), problems


def test_a_mistake_the_project_has_no_words_for_still_gets_its_own_line():
    error = yaml_errors.friendly(__import__("yaml").YAMLError("anything at all"), "a: 1\n")
    assert (error.line, error.col, error.message) == (1, 1, yaml_errors.NOT_YAML)
