"""How long a post is, counted the way X (twitter-text v3) and Facebook count it.

X counts a post with twitter-text's v3 configuration: the text is NFC-normalised; each code point in
0-4351, 8192-8205, 8208-8223 or 8242-8247 weighs 1 and every other one 2 (CJK, emoji, most symbols);
every URL weighs 23 whatever its length; each whole emoji sequence (ZWJ family, skin tone, flag,
keycap) weighs 2. A post is valid on X when that weight is 1..280 and it has no U+FFFE/U+FEFF/U+FFFF.

An independent implementation with twitter-text's answers: URLs are found with its grammar (with
or without protocol, listed TLDs only, t.co slugs, IDNA label limits), emoji with the Unicode 12.0
sequences twitter-text v3 knows. Where twitter-text's ports disagree it follows the JavaScript
grammar as twitter-text-parser ports it, except where every upstream port agrees otherwise (see
``tests/test_text.py``).

It is fast because typical posts avoid the expensive parts: ASCII text has no emoji sequence, text
without ``.<letter>`` has no URL, the URL regex only runs on the space-free run around such a dot,
and the last 4096 distinct runs are remembered (campaigns repeat their links). The URL regex and
the emoji table are built on first use, not at import, and the emoji table only for a text that
has a code point that can continue an emoji sequence (``EMOJI_LINKS``).
"""

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from campaigns import _tlds
from campaigns.emoji import EMOJI_LINKS, emoji_spans

TWEET_MAX_LENGTH = 280
FACEBOOK_MAX_LENGTH = 63206
URL_WEIGHT = 23  # twitter-text's transformedURLLength: t.co rewrites every link to 23 characters
EMOJI_WEIGHT = 2

_HEAVY = re.compile("[^\x00-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")  # outside the weight-1 ranges
_INVALID = re.compile("[\ufffe\ufeff\uffff]")
_OTHER_SPACE = re.compile(f"[{_tlds.SPACES.replace(' ', '')}]")
_NOT_BEFORE_URL_WITHOUT_PROTOCOL = "-_./"
_MAX_URL_LENGTH = 4096  # UTF-16 code units, counted as twitter-text does (see _is_valid_host)
_MAX_LABEL_LENGTH = 63
_MAX_TCO_SLUG_LENGTH = 40


class Url(NamedTuple):
    """A URL found in a post, with its code point indices. twitter-text weighs ``len(url)``
    characters from ``start`` as the URL: a URL without protocol whose domain starts with non-ASCII
    labels keeps only its ASCII part, so ``url`` can be shorter than ``end - start``."""

    url: str
    start: int
    end: int


def tweet_length(text: str) -> int:
    """Return the twitter-text v3 weighted length of ``text`` (X's limit is ``TWEET_MAX_LENGTH``)."""
    if text.isascii():
        # No emoji sequence is pure ASCII (a keycap needs U+20E3), so only URLs change the count.
        return len(text) + _url_discount(text) if "." in text else len(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    heavy = _HEAVY.findall(text)
    total = len(text) + len(heavy)
    # Every emoji sequence has a heavy link (U+FE0F, U+20E3, a skin tone, a flag letter, a tag) or
    # a zero width joiner: most posts have neither, and skip the search.
    if "\u200d" not in text and EMOJI_LINKS.isdisjoint(heavy):
        return total + _url_discount(text)
    return total + _entities_discount(text)


def _url_discount(text: str) -> int:
    """What the URLs of ``text`` change to its character-by-character weight (each weighs 23)."""
    discount = 0
    for start, end in _url_runs(text):  # a loop, not sum(): most texts have one run or none
        discount += _run_urls(text[start:end], start > 0)[1]
    return discount


def is_valid_tweet(text: str) -> bool:
    """Whether X accepts ``text`` as a post: weighted length 1..280 and no U+FFFE, U+FEFF or U+FFFF.

    As in twitter-text, whitespace-only text is valid (it has a length); only empty text is not.
    """
    normalized = unicodedata.normalize("NFC", text)
    return 0 < tweet_length(normalized) <= TWEET_MAX_LENGTH and _INVALID.search(normalized) is None


def facebook_length(text: str) -> int:
    """Return the length Facebook checks against ``FACEBOOK_MAX_LENGTH``: UTF-16 code units.

    Facebook's clients are JavaScript, whose string length counts UTF-16 code units, so an emoji
    outside the BMP counts 2. It is never less than the code point count, so it errs on the safe side.
    """
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def extract_urls(text: str) -> list[str]:
    """Return the URLs twitter-text finds in ``text`` (with or without protocol), in order."""
    return [url.url for url in extract_urls_with_indices(text)]


def extract_urls_with_indices(text: str) -> list[Url]:
    """Return the URLs twitter-text finds in ``text``, with their code point indices, in order."""
    return [
        Url(url, run_start + start, run_start + end)
        for run_start, run_end in _url_runs(text)
        for url, start, end in _run_urls(text[run_start:run_end], run_start > 0)[0]
    ]


def _url_runs(text: str) -> list[tuple[int, int]]:
    """The runs of non-space characters that hold a dot followed by a letter: only they can hold
    URLs. No URL spans a space (only the character before a URL, which the regex consumes, can be one)."""
    hints = _url_hints(text)
    if not hints:  # most texts: no need to look at their spaces
        return []
    runs = _runs_around(text, hints)
    # Every space but " " is unprintable (\t, \n, NBSP...). Spaces are neither dots nor letters, so
    # blanking them keeps the hints; it changes the runs only if one of them holds such a space.
    for start, end in runs:
        if not text[start:end].isprintable():
            return _runs_around(_blank_spaces(text), hints)
    return runs


def _runs_around(text: str, hints: list[int]) -> list[tuple[int, int]]:
    """The runs between " " that hold the hints (each run once)."""
    runs: list[tuple[int, int]] = []
    end = 0
    for index in hints:
        if index >= end:
            if (end := text.find(" ", index)) == -1:
                end = len(text)
            runs.append((text.rfind(" ", 0, index) + 1, end))
    return runs


def _url_hints(text: str) -> list[int]:
    """Where a dot is followed by a letter (a word character that is neither a digit nor '_', as
    the URL grammar's TLDs start): the only places a URL can end its domain. A text has few dots,
    and str.find skips to them faster than a regex scans every character."""
    hints = []
    dot = text.find(".")
    while dot != -1:
        after = text[dot + 1 : dot + 2]
        if after.isalnum() and not after.isdecimal():  # a word character, not a digit or '_'
            hints.append(dot)
        dot = text.find(".", dot + 1)
    return hints


def _blank_spaces(text: str) -> str:
    """``text`` with every space the URL grammar knows as " " (each character keeps its index)."""
    if text.isascii():
        for space in "\t\n\x0b\x0c\r":
            text = text.replace(space, " ")
        return text
    return _OTHER_SPACE.sub(" ", text)


@lru_cache(maxsize=4096)
def _run_urls(run: str, after_space: bool) -> tuple[tuple[Url, ...], int]:
    """The URLs in one run (indices from its start) and what they take off its weight. Campaigns
    repeat their links from post to post, so the last few thousand runs are kept (bounded).

    What precedes the run matters: after a space, a URL may start at the run's first character;
    at the start of the text, the regex first tries that character as the one before a URL."""
    text = " " + run if after_space else run
    urls = [url for match in _tlds.url_regex().finditer(_fold(text)) for url in _accept(text, match)]
    if after_space:
        urls = [Url(url, start - 1, end - 1) for url, start, end in urls]
    return tuple(urls), sum(URL_WEIGHT - _weight(run[url.start : url.start + len(url.url)]) for url in urls)


def _accept(text: str, match: re.Match[str]) -> list[Url]:
    """Apply twitter-text's checks to one regex match: the URLs it yields (often one, maybe none)."""
    before, protocol, path = match.group("before", "protocol", "path")
    start, end = match.span("url")
    domain_start, domain_end = match.span("domain")
    url, domain = text[start:end], text[domain_start:domain_end]
    short_ascii = len(domain) <= _MAX_LABEL_LENGTH and len(url) < _MAX_URL_LENGTH // 4 and domain.isascii()
    if not short_ascii and not _is_valid_host(url, domain, protocol or "https://"):
        return []
    if protocol is not None:
        if not match.string.startswith("t.co/", domain_start):
            return [Url(url, start, end)]
        tco = _tlds.tco_regex().match(match.string, start, end)  # a t.co link ends with its slug (and query)
        if tco is None:
            return [Url(url, start, end)]
        slug_end = tco.end()
        return (
            [] if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH else [Url(text[start:slug_end], start, slug_end)]
        )
    if before and before in _NOT_BEFORE_URL_WITHOUT_PROTOCOL:
        return []
    # Without a protocol only the ASCII-only domains inside the matched domain are URLs. A domain
    # of letters, digits, dots and hyphens only is all one: skip the regex.
    if domain.isascii() and domain.replace("-", "").replace(".", "").isalnum():
        return [Url(url, start, end) if path is not None else Url(domain, domain_start, domain_end)]
    urls = [
        Url(text[found.start() : found.end()], found.start(), found.end())
        for found in _tlds.ascii_domain_regex().finditer(match.string, domain_start, domain_end)
    ]
    if urls and path is not None:
        # As twitter-text-parser, replace every occurrence (the JavaScript original replaces the
        # first only; they differ only when the domain's text repeats later in the URL).
        urls[-1] = Url(url.replace(domain, urls[-1].url), urls[-1].start, end)
    return urls


def _is_valid_host(url: str, domain: str, protocol: str) -> bool:
    """The host must survive IDNA ToASCII (RFC 3490: nameprep, punycode, labels of 1..63), as in
    twitter-text's Java, Ruby and Python ports, and the URL must fit in 4096 UTF-16 code units."""
    try:
        encoded_length = len(domain.encode("idna"))
    except UnicodeError:
        return False
    if 2 * len(url) + encoded_length + len(protocol) <= _MAX_URL_LENGTH:
        return True  # short enough however it is counted
    # twitter-text counts the protocol twice when the URL has one; so do we.
    url_utf16, domain_utf16 = (len(part.encode("utf-16-le", "surrogatepass")) // 2 for part in (url, domain))
    return len(protocol) + url_utf16 + encoded_length - domain_utf16 <= _MAX_URL_LENGTH


def _fold(text: str) -> str:
    """Lowercase ``text`` keeping every character at its index, for case-insensitive matching.

    str.lower() keeps the length of every character but İ (U+0130) and K (U+212A, to ASCII k);
    JavaScript's case-insensitive matching (twitter-text's) does not fold them either: keep them."""
    if text.isascii() or ("\u0130" not in text and "\u212a" not in text):
        return text.lower()
    return "".join(char if char in "\u0130\u212a" else char.lower() for char in text)


def _weight(text: str) -> int:
    """The weight of ``text`` character by character: 1 in the v3 ranges, else 2."""
    if text.isascii():
        return len(text)
    return len(text) + len(_HEAVY.findall(text))


def _entities_discount(text: str) -> int:
    """What URLs and emoji sequences change to the weight of ``text``.

    URLs lie within the runs :func:`_url_runs` finds; when no emoji sequence touches one (the usual
    case: an emoji stands apart from a link), parseTweet's walk counts every entity, and the two
    discounts simply add up, the URLs' from the runs remembered already."""
    emojis = emoji_spans(text)
    runs = _url_runs(text)
    for start, end in emojis:
        for run_start, run_end in runs:
            if start < run_end and run_start < end:
                return _entity_discount(text, extract_urls_with_indices(text), emojis)
    discount = 0
    for start, end in emojis:
        discount += EMOJI_WEIGHT - _weight(text[start:end])
    for start, end in runs:
        discount += _run_urls(text[start:end], start > 0)[1]
    return discount


def _entity_discount(text: str, urls: list[Url], emojis: list[tuple[int, int]]) -> int:
    """What URLs and emoji sequences change to the character-by-character weight, walking ``text``
    as twitter-text's parseTweet does: a URL starting at the current position is consumed whole,
    else an emoji sequence; an entity that starts inside one already consumed does not count."""
    # At the same start a URL wins over an emoji: sort key (start, 0) for URLs, (start, 1) for emoji.
    entities = sorted(
        [(url.start, 0, url.start + len(url.url)) for url in urls]
        + [(start, 1, end) for start, end in emojis]
    )
    discount = 0
    position = 0
    for start, kind, end in entities:
        if start >= position:
            discount += (EMOJI_WEIGHT if kind else URL_WEIGHT) - _weight(text[start:end])
            position = end
    return discount
