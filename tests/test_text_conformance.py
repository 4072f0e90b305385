"""campaigns.text passes twitter-text's own conformance data, read from the vendored YAML at test time.

See tests/data/twitter-text/README.md for the source, licence and which sections apply.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml

from campaigns.text import (
    extract_urls,
    extract_urls_with_indices,
    is_valid_tweet,
    tweet_length,
)

DATA = Path(__file__).parent / "data" / "twitter-text"


def cases(file: str, *sections: str) -> list[Any]:
    tests = yaml.safe_load((DATA / file).read_text("utf-8"))["tests"]
    return [
        pytest.param(case, id=f"{section}: {case['description']}")
        for section in sections
        for case in tests[section]
    ]


@pytest.mark.parametrize(
    "case",
    cases(
        "validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"
    ),
)
def test_it_weighs_posts_as_the_conformance_data_says(case: dict[str, Any]) -> None:
    expected = case["expected"]
    assert tweet_length(case["text"]) == expected["weightedLength"]
    assert is_valid_tweet(case["text"]) is expected["valid"]


@pytest.mark.parametrize("case", cases("extract.yml", "urls", "tco_urls_with_params"))
def test_it_extracts_the_urls_the_conformance_data_lists(case: dict[str, Any]) -> None:
    assert extract_urls(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", cases("extract.yml", "urls_with_indices", "urls_with_directional_markers"))
def test_it_reports_the_url_indices_the_conformance_data_lists(case: dict[str, Any]) -> None:
    found = [
        {"url": url, "indices": [start, end]} for url, start, end in extract_urls_with_indices(case["text"])
    ]
    assert found == case["expected"]


def test_it_recognises_every_tld_in_the_conformance_data() -> None:
    tests = yaml.safe_load((DATA / "tlds.yml").read_text("utf-8"))["tests"]
    wrong = [
        case["text"]
        for section in tests.values()
        for case in section
        if extract_urls(case["text"]) != case["expected"]
    ]
    assert len([case for section in tests.values() for case in section]) > 1500
    assert wrong == []
