"""X's 280 weighted-character limit (twitter-text v3, as implemented in ``campaigns.text``)."""

from __future__ import annotations

from functools import lru_cache

from campaigns.text import tweet_length


@lru_cache(maxsize=4096)
def _length(text: str) -> int:
    return tweet_length(text)


def too_long(text: str) -> bool:
    """Over X's 280 weighted characters; short ASCII texts skip the full parse (~0.1 ms).

    In ASCII every character weighs 1 and each URL counts 23, so one URL adds at most 23 - 4 = 19
    ("a.co" is the shortest URL), and there are at most as many URLs as dots: that bound settles
    most posts without parsing.
    """
    if text.isascii() and len(text) + 19 * text.count(".") <= 280:
        return False
    return _length(text) > 280
