"""The corpus of hostile and broken specs: each with the one problem it must get, where.

Shared by ``tests/test_spec_hostile_corpus.py`` (refused, message, position, schedule untouched) and
``benchmarks/bench_hostile.py`` (time and peak memory per item). Big items are generated when written,
never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from campaigns.problems import Severity
from tests.support.spec_files import MINIMAL

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
HEAD, _, _ = MINIMAL.partition("days:")  # the campaign's keys, lines 1-7


@dataclass(frozen=True)
class Hostile:
    name: str
    write: Callable[[Path], None]
    line: int
    col: int
    message: str  # a part of the one problem's message
    severity: Severity = "error"


def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _bytes(raw: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(raw)


def _in_post(text: str) -> str:
    return MINIMAL.replace('"Hello #SSWWeek {link}"', f'"{text}"')


def _fifty_megabytes(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(MINIMAL)
        line = "# " + "x" * 1022 + "\n"
        for _ in range(50 * 1024):
            out.write(line)


def _days(count: int) -> Callable[[Path], None]:
    # Flow style: 100,000 days stay under the 2 MB limit, so that the size is not what refuses them.
    return _text(HEAD + "days: [" + ", ".join(["{posts: [Hi]}"] * count) + "]\n")


_hundred_thousand_days = _days(100_000)


CORPUS = [
    Hostile("alias bomb", _text(BILLION_LAUGHS), 6, 16, "expands to more than 250,000 values"),
    Hostile("deep nesting", _text("campaign: " + "[" * 5000 + "]" * 5000), 1, 42, "nesting deeper than 32"),
    Hostile("50 MB file", _fifty_megabytes, 1, 1, "the file is 50.0 MB; a campaign spec may be at most 2 MB"),
    Hostile("binary data", _bytes(bytes(range(256)) * 4096), 1, 1, "this is a binary file"),
    Hostile(
        "python tag",
        _text(MINIMAL + "evil: !!python/object/apply:os.system ['true']\n"),
        12,
        7,
        "python/object/apply:os.system' is not allowed",
    ),
    Hostile("invalid UTF-8", _bytes(MINIMAL.encode() + b"extra: caf\xe9\n"), 12, 11, "not UTF-8"),
    Hostile("BOM, then a bad time", _text("\ufeff" + MINIMAL.replace('"09:00"', '"25:00"')), 4, 7, "'25:00'"),
    Hostile(
        "right-to-left override in a hashtag",
        _text(MINIMAL.replace('["#SSWWeek"]', '["#SSW\u202eWeek"]')),
        6,
        12,
        "U+202E RIGHT-TO-LEFT OVERRIDE, at character 5",
    ),
    Hostile(
        "zero-width space in a post's hashtag",
        _text(_in_post("Hello #SSWWeek #SSW\u200bWeek {link}")),
        11,
        9,
        "U+200B ZERO WIDTH SPACE, at character 5",
    ),
    Hostile(
        "BOM inside a hashtag",
        _text(_in_post("Hello #SSW\ufeffWeek #SSWWeek")),
        11,
        9,
        "U+FEFF ZERO WIDTH NO-BREAK SPACE, at character 5",
    ),
    Hostile(
        "homoglyph hashtag",
        _text(_in_post("Hello #SSWWeek #SSWW\u0435\u0435k")),
        11,
        9,
        "character 6, '\u0435', is U+0435 CYRILLIC SMALL LETTER IE",
        "warning",
    ),
    Hostile("2027-02-30", _text(MINIMAL.replace("2027-04-05", "2027-02-30")), 3, 8, "day is out of range"),
    Hostile("24:61", _text(MINIMAL.replace('"09:00"', '"24:61"')), 4, 7, "invalid time '24:61'"),
    Hostile("year 9999", _text(MINIMAL.replace("2027-04-05", "9999-12-31")), 3, 8, "is not between 2000"),
    # Each day is at least three values (a mapping, a list, a text): the value limit refuses it first.
    Hostile("100,000 days", _hundred_thousand_days, 8, 937_444, "expands to more than 250,000 values"),
    Hostile("1,000 days", _days(1_000), 8, 1, "1,000 days; a campaign may have at most 366"),
    Hostile(
        "line break in the campaign name",
        _text(MINIMAL.replace("Test Campaign", '"Test\\r\\nBcc: all@example.org"')),
        1,
        11,
        "U+000D",
    ),
]
