"""campaigns.text agrees with the reference implementation, twitter-text-parser, on generated posts.

The generator mixes what campaign posts contain (words, URLs with and without protocol, odd TLDs,
trailing punctuation, paths and queries, hashtags, mentions, CJK, emoji sequences, combining and
directional marks). It leaves out the three constructs where twitter-text-parser departs from
upstream twitter-text: a lone © or ® (it counts 2, upstream 1), a carriage return (it turns "\\r\\n"
into one character) and İ (U+0130) right before a URL (it case-folds İ to i). ``test_text.py`` pins
upstream's behaviour for those.

Set TEXT_PROPERTY_EXAMPLES (e.g. 20000) for a long run; CI uses the default.
"""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twitter_text import extract_urls as reference_extract_urls
from twitter_text import parse_tweet

from campaigns import _tlds
from campaigns.text import extract_urls, tweet_length

EXAMPLES = int(os.environ.get("TEXT_PROPERTY_EXAMPLES", "400"))

# Letters for internationalised domain labels: CJK, Cyrillic, accented and Arabic letters, and a few
# that IDNA's nameprep maps (ß, ﬁ, U+200B) or that break its bidi rule when mixed with Latin.
IDN_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüéñçøåæß日本語中文网例子テストпримеррфкоммоскваあいうえお한국ﬁ\u200bپاکستانعرب"

words = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)
punctuation = st.sampled_from([*".,;:!?()[]{}'\"-_/@#$%&*+=<>|~`^\\", "...", "--", "—", "–", "…"])
spaces = st.sampled_from([" ", " ", " ", "\n", "\t", "\u3000", "\xa0", "\u2009", "\u2028"])
label = st.one_of(
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=10),
    st.text(IDN_LETTERS, min_size=1, max_size=8),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=60, max_size=66),  # around the 63-character limit
)
tld = st.one_of(
    st.sampled_from(_tlds.GENERIC),
    st.sampled_from(_tlds.COUNTRY),
    st.sampled_from(["com", "org", "co.uk", "io", "xn--p1ai", "xn--fiqs8s", "comx", "zz", "c0m", "onion"]),
    st.sampled_from(["COM", "Org", "De", "РФ"]),
)
path_piece = st.one_of(
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-_~.%+=&;:,!*'$@|[]#/", max_size=10),
    st.sampled_from(["(film)", "(a(b)c)", "((x))", "(", ")", "Русские_слова", "café", "@user/", "–"]),
)
query = st.text("abcdefghijklmnopqrstuvwxyz0123456789=&-_.,!?*'@();:$/%#[]~|+", max_size=12)


@st.composite
def urls(draw: st.DrawFn) -> str:
    protocol = draw(st.sampled_from(["", "", "http://", "https://", "HTTPS://", "Http://", "ftp://"]))
    labels = draw(st.lists(label, min_size=1, max_size=3))
    url = protocol + ".".join(labels) + "." + draw(tld)
    if draw(st.booleans()):
        url += ":" + draw(st.sampled_from(["80", "8080", "x", ""]))
    if draw(st.booleans()):
        url += "/" + "/".join(draw(st.lists(path_piece, max_size=4)))
    if draw(st.booleans()):
        url += "?" + draw(query)
    return url + draw(st.sampled_from(["", "", ".", ",", "!", ")", "?", "...", "'", '"', ":", "-"]))


tco = st.builds(
    lambda scheme, slug, tail: f"{scheme}t.co/{slug}{tail}",
    st.sampled_from(["http://", "https://", ""]),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=45),
    st.sampled_from(["", "?amp=1", "/extra", "?", "-x"]),
)
tags = st.builds(lambda sign, word: sign + word, st.sampled_from(["#", "@", "$", "＃", "＠"]), words)
cjk = st.text("故人西辞黄鹤楼烟花三月下扬州。、あいうえおカタカナ한국어テスト", min_size=1, max_size=10)
emoji = st.sampled_from(
    [
        "😷", "🔥", "👾", "🐱", "☺", "☺\ufe0f", "☺\ufe0e", "❤", "❤\ufe0f", "©\ufe0f", "®\ufe0f", "™", "‼",
        "👨\u200d👩\u200d👧\u200d👦", "👩\u200d❤\ufe0f\u200d💋\u200d👨", "🏳\ufe0f\u200d🌈", "👁\u200d🗨",
        "🙋🏽", "👍🏿", "🏻", "✌🏼", "🇺🇸", "🇬🇧", "🇦🇦", "🇺", "🇦🇺🇸", "1⃣", "1\ufe0f⃣", "#\ufe0f⃣", "*⃣",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", "🧕🏾", "🤪", "🥰", "🫠", "\u200d",
        "\ufe0f", "👨\u200d🎤", "🧑\u200d🤝\u200d🧑", "🏃\u200d♀\ufe0f", "🏃\u200d♀", "❤\ufe0f\u200d🔥",
    ]
)  # fmt: skip
marks = st.sampled_from(
    [
        "e\u0301", "a\u0308", "\u0301", "\u20e3", "\u200e", "\u200f", "\u202a", "\u202c", "\u2066",
        "\u2069", "\u061c", "\u2000", "\u2014", "\u2032", "\u2038", "\u10ff", "\u1100", "\U0001d400",
        "Å", "\u212b", "ﬁ", "\ufeff", "\uffff", "\u200b", "\u03a3",
    ]
)  # fmt: skip
piece = st.one_of(words, words, punctuation, urls(), urls(), tco, tags, cjk, emoji, emoji, marks)
posts = st.lists(st.tuples(piece, st.one_of(spaces, st.just(""))), max_size=24).map(
    lambda parts: "".join(text + gap for text, gap in parts)
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts)
def test_it_weighs_posts_like_twitter_text_parser(text: str) -> None:
    assert tweet_length(text) == parse_tweet(text).weightedLength


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts)
def test_it_finds_the_urls_twitter_text_parser_finds(text: str) -> None:
    assert extract_urls(text) == reference_extract_urls(text)
