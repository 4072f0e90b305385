"""Recognising our own post in what the platform gives back, without any server."""

from __future__ import annotations

from campaigns.platforms.matching import expand_links, has_hashtag, same_text, with_link


def test_it_matches_a_text_whose_links_x_shortened_once_they_are_expanded() -> None:
    mine = "Read the report example.org/reports/2025?utm=x #SSW"
    theirs = "Read the report https://t.co/AbC123xyzq #SSW https://t.co/Pic0000000"
    urls = [
        {
            "start": 16,
            "end": 39,
            "url": "https://t.co/AbC123xyzq",
            "expanded_url": "http://example.org/reports/2025?utm=x",
        },
        {
            "start": 45,
            "end": 68,
            "url": "https://t.co/Pic0000000",
            "expanded_url": "https://x.com/a/status/1/photo/1",
            "media_key": "3_1",
        },
    ]
    assert not same_text(mine, theirs)  # a t.co link is not any link
    assert same_text(mine, expand_links(theirs, urls))


def test_it_tells_apart_texts_that_differ_only_in_their_link() -> None:
    assert not same_text("Day 1: https://example.org/day1", "Day 1: https://example.org/day2")
    assert same_text("Day 1: example.org/day1", "Day 1: http://example.org/day1")


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
