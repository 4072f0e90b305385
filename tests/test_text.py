"""campaigns.text: the counting rules X and Facebook apply, and where we part from twitter-text-parser.

The conformance data (test_text_conformance.py) and the property test against twitter-text-parser
(test_text_reference.py) carry most of the proof; these tests pin the rules in readable form and
record the cases where twitter-text-parser departs from upstream twitter-text.
"""

import subprocess
import sys

import pytest
from twitter_text import parse_tweet

from campaigns.text import (
    FACEBOOK_MAX_LENGTH,
    TWEET_MAX_LENGTH,
    Url,
    extract_urls,
    extract_urls_with_indices,
    facebook_length,
    is_valid_tweet,
    tweet_length,
)

LONG_URL = (
    "https://www.example.org/campaigns/2025/spring/community-energy-advice?utm_source=x&utm_medium=social"
)


@pytest.mark.parametrize(
    ("char", "weight"),
    [
        ("a", 1),
        ("é", 1),
        ("\u10ff", 1),  # the last code point of the first weight-1 range (0-4351)
        ("\u1100", 2),  # Hangul jamo: just past it
        ("\u2000", 1),
        ("\u200d", 1),
        ("\u200e", 2),
        ("\u2010", 1),
        ("\u201f", 1),
        ("\u2020", 2),
        ("\u2032", 1),
        ("\u2037", 1),
        ("\u2038", 2),
        ("故", 2),
        ("😷", 2),
    ],
)
def test_it_weighs_each_code_point_by_the_v3_ranges(char: str, weight: int) -> None:
    assert tweet_length(char) == weight
    assert tweet_length("ab" + char + "cd") == 4 + weight


def test_it_counts_every_url_as_23_whatever_its_length() -> None:
    assert len(LONG_URL) > 23
    assert tweet_length(f"Read more: {LONG_URL}") == len("Read more: ") + 23
    assert tweet_length("t.co/x") == 23
    assert (
        tweet_length("Two links: example.com and https://example.org/a.") == len("Two links:  and .") + 2 * 23
    )


def test_it_counts_urls_only_on_listed_tlds() -> None:
    assert tweet_length("see example.zz") == len("see example.zz")
    assert tweet_length("see example.comx") == len("see example.comx")
    assert tweet_length("see example.community") == 4 + 23


def test_it_counts_each_whole_emoji_sequence_as_two() -> None:
    assert tweet_length("👨\u200d👩\u200d👧\u200d👦") == 2  # ZWJ family: 7 code points
    assert tweet_length("👍🏽") == 2  # skin tone
    assert tweet_length("🇬🇧🇫🇷") == 4  # two flags
    assert tweet_length("1\ufe0f\u20e3") == 2  # keycap
    assert tweet_length("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f") == 2  # Scotland


def test_it_normalises_to_nfc_before_counting() -> None:
    assert tweet_length("e\u0301") == 1  # e + combining acute is é
    assert tweet_length("\u212b") == 1  # the Angstrom sign becomes Å


def test_it_counts_a_lone_copyright_sign_as_one_character() -> None:
    """Upstream twitter-text (JavaScript via twemoji-parser, Java, Ruby) treats © and ® as emoji
    only when followed by U+FE0F. twitter-text-parser counts a lone © or ® as an emoji (2)."""
    assert tweet_length("© 2025 City Council") == 19
    assert tweet_length("©\ufe0f") == tweet_length("®\ufe0f") == 2
    assert parse_tweet("©").weightedLength == 2  # the recorded departure


def test_it_counts_a_carriage_return_as_a_character() -> None:
    """Upstream twitter-text counts "\\r\\n" as two characters; twitter-text-parser turns it into one."""
    assert tweet_length("a\r\nb") == 4
    assert parse_tweet("a\r\nb").weightedLength == 3  # the recorded departure


def test_it_matches_case_insensitively_on_ascii_letters_only() -> None:
    """twitter-text's JavaScript (flag i) and Java (CASE_INSENSITIVE) grammars do not fold İ (U+0130)
    onto i, so İ may precede a URL; Python's re.IGNORECASE, which twitter-text-parser uses, folds it."""
    assert extract_urls("İhttp://example.com") == ["http://example.com"]
    assert tweet_length("İhttp://example.com") == 1 + 23
    assert parse_tweet("İhttp://example.com").weightedLength == 19  # the recorded departure
    assert extract_urls("HTTPS://WWW.EXAMPLE.CO.UK/Path") == ["HTTPS://WWW.EXAMPLE.CO.UK/Path"]


def test_it_drops_tco_links_with_slugs_longer_than_40() -> None:
    assert extract_urls("https://t.co/" + "a" * 40) == ["https://t.co/" + "a" * 40]
    assert extract_urls("https://t.co/" + "a" * 41) == []
    assert extract_urls("https://t.co/abc/more/path") == ["https://t.co/abc"]


def test_it_does_not_take_urls_without_protocol_after_a_dash_slash_or_dot() -> None:
    assert extract_urls("see --example.com, ../example.com and __example.com") == []
    assert extract_urls("@example.com #example.com $example.com") == []
    assert extract_urls("see (example.com) and “example.com”") == ["example.com", "example.com"]


def test_it_reports_where_each_url_is() -> None:
    assert extract_urls_with_indices("日本語 example.com/path and http://例え.jp") == [
        Url("example.com/path", 4, 20),
        Url("http://例え.jp", 25, 37),
    ]


def test_it_lets_a_url_start_with_a_mark_only_after_a_space() -> None:
    """At the very start the regex takes a first combining mark as the character before the URL."""
    assert extract_urls("\u0301example.com \u0301example.com") == ["example.com", "\u0301example.com"]


def test_it_keeps_only_the_ascii_part_of_a_url_without_protocol() -> None:
    assert extract_urls_with_indices("日本example.com") == [Url("example.com", 2, 13)]
    assert tweet_length("日本example.com") == 4 + 23


def test_it_accepts_posts_up_to_280() -> None:
    at_limit = "x" * 256 + " " + LONG_URL
    assert tweet_length(at_limit) == TWEET_MAX_LENGTH
    assert is_valid_tweet(at_limit)
    assert not is_valid_tweet("x" + at_limit)
    assert not is_valid_tweet("故" * 141)


def test_it_treats_whitespace_as_a_valid_post_but_not_empty_text() -> None:
    """twitter-text's valid: weighted length 1..280 and no invalid character; blank text has a length."""
    assert is_valid_tweet("   ")
    assert not is_valid_tweet("")


def test_it_rejects_posts_with_invalid_characters() -> None:
    for char in "\ufffe\ufeff\uffff":
        assert not is_valid_tweet(f"Hello {char}world")


def test_it_counts_facebook_length_in_utf16_code_units() -> None:
    assert facebook_length("Hello") == 5
    assert facebook_length("café 故") == 6
    assert facebook_length("😷") == 2  # outside the BMP: a surrogate pair
    assert facebook_length("👨\u200d👩\u200d👧\u200d👦") == 11
    assert facebook_length("x" * FACEBOOK_MAX_LENGTH) == 63206


def test_it_builds_no_tables_at_import() -> None:
    """Importing campaigns.text must stay cheap for the CLI: the URL regex and emoji trie are lazy."""
    code = (
        "import campaigns.text, campaigns._tlds as tlds, campaigns.emoji as emoji;"
        "print(tlds.url_regex.cache_info().currsize, emoji.emoji_tables.cache_info().currsize)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["0", "0"]


def test_the_emoji_links_known_without_the_table_are_the_tables() -> None:
    from campaigns import emoji

    assert emoji.emoji_tables().links == emoji.EMOJI_LINKS


def test_a_non_ascii_text_without_emoji_sequences_does_not_load_the_emoji_table() -> None:
    probe = (
        "from campaigns import emoji, text; "
        "assert text.tweet_length('Café in Zürich, naïve — “quoted” ✓') == 35; "
        "assert emoji.emoji_tables.cache_info().currsize == 0"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


def test_urls_are_looked_for_after_a_dot_and_a_letter_as_the_grammar_reads_a_letter() -> None:
    """The dots found with str.find are those the regex ``\\.[^\\W\\d_]`` finds, for every code point."""
    import re

    from campaigns import text

    hint = re.compile(r"\.[^\W\d_]")
    disagree = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if (hint.match("." + chr(code)) is not None) != bool(text._url_hints("." + chr(code)))
    ]
    assert disagree == []
    sample = "a.b ._1 x.٣ y.² ..z end."
    assert text._url_hints(sample) == [match.start() for match in hint.finditer(sample)]


@pytest.mark.parametrize(
    "post",
    [
        "Visit example.org\u00a0now",  # a space other than " " inside the run around the link
        "Tab\texample.org/x\tend",
        "👩\u200d👩\u200d👧 example.org/ssw 🎉",  # emoji sequences apart from the link
        "👩\u200d👩\u200d👧example.org/ssw",  # touching it
        "🇫🇷.fr and https://t.co/abc",
    ],
)
def test_it_counts_links_next_to_other_spaces_and_emoji_as_twitter_text_does(post: str) -> None:
    assert tweet_length(post) == parse_tweet(post).weightedLength
