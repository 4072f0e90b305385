"""Recognising our own post in what the platform gives back, without any server."""

from __future__ import annotations

from campaigns.platforms.matching import has_hashtag, same_text, with_link


def test_it_matches_a_text_whose_links_x_shortened() -> None:
    mine = "Read the report https://example.org/reports/2025/workforce?utm=x #SSW"
    theirs = "Read the report https://t.co/AbC123xyz #SSW"
    assert same_text(mine, theirs)


def test_it_matches_a_text_with_escaped_entities_and_folded_whitespace() -> None:
    assert same_text("Pay & conditions  matter\n\n<3", "Pay &amp; conditions matter &lt;3")


def test_it_does_not_match_a_different_text() -> None:
    assert not same_text("Day 1 of the campaign", "Day 2 of the campaign")
    assert not same_text("See https://a.example", "See")


def test_it_appends_a_link_only_when_the_text_lacks_it() -> None:
    assert with_link("Hello", "https://x.org") == "Hello https://x.org"
    assert with_link("Hello https://x.org now", "https://x.org") == "Hello https://x.org now"
    assert with_link("Hello", None) == "Hello"


def test_it_finds_whole_hashtags_only() -> None:
    assert has_hashtag("Thank you! #SSW!", "#ssw")
    assert has_hashtag("#SSW starts today", "SSW")
    assert not has_hashtag("#SSWeek starts today", "SSW")
    assert not has_hashtag("no tag SSW here", "SSW")
