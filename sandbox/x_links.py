"""X's link wrapping: every URL of a tweet, bare domains included, is stored as a ``https://t.co/...`` link.

What X does (and so what the sandbox shows on every read route and in the create response):

- each URL twitter-text finds in the text (``https://example.org/a``, ``example.org/day1``) is
  replaced by a 23-character ``https://t.co/<10 characters>`` link, which is why every URL counts
  23 in the weighted length;
- ``entities.urls`` gives, per link, ``start``/``end`` (code point indices in the stored text),
  ``url`` (the t.co link), ``expanded_url`` (what was written; ``http://`` added to a bare domain)
  and ``display_url`` (the expansion without its scheme, shortened with an ellipsis);
- a tweet with media gets one more t.co link at its end, for the attachment: its entity carries
  ``media_key`` and expands to ``https://x.com/<user>/status/<id>/photo/1``.

The original text stays what the sandbox stores (duplicates, search and the ground-truth page use
it); the wrapped form is computed when a tweet is shown, deterministically from its id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from campaigns.text import extract_urls_with_indices

TCO = "https://t.co/"
_SLUG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SLUG_LENGTH = 10  # len("https://t.co/") + 10 == 23, the weight of every URL
_DISPLAY_MAX = 26  # X shortens long display URLs, ending them with an ellipsis


@dataclass(frozen=True, slots=True)
class Wrapped:
    text: str
    urls: list[dict[str, Any]]  # entities.urls


def tco(tweet_id: str, index: int) -> str:
    """The t.co link of URL number ``index`` of tweet ``tweet_id`` (stable across reads)."""
    digest = int.from_bytes(hashlib.sha256(f"{tweet_id}/{index}".encode()).digest()[:8], "big")
    slug = ""
    for _ in range(_SLUG_LENGTH):
        digest, rest = divmod(digest, len(_SLUG_ALPHABET))
        slug += _SLUG_ALPHABET[rest]
    return TCO + slug


def display_url(expanded: str) -> str:
    shown = expanded.split("://", 1)[-1]
    shown = shown.removeprefix("www.")
    return shown if len(shown) <= _DISPLAY_MAX else shown[: _DISPLAY_MAX - 1] + "\u2026"


def wrap(
    tweet_id: str, text: str, *, username: str, media_keys: tuple[str, ...] = (), media_kind: str = "photo"
) -> Wrapped:
    """The text as X stores and returns it, with its ``entities.urls``."""
    out: list[str] = []
    urls: list[dict[str, Any]] = []
    position = 0  # in ``text``
    length = 0  # of what is in ``out``
    for n, found in enumerate(extract_urls_with_indices(text)):
        before = text[position : found.start]
        out.append(before)
        length += len(before)
        link = tco(tweet_id, n)
        written = text[found.start : found.end]
        expanded = written if "://" in written else f"http://{written}"
        urls.append(
            {
                "start": length,
                "end": length + len(link),
                "url": link,
                "expanded_url": expanded,
                "display_url": display_url(expanded),
            }
        )
        out.append(link)
        length += len(link)
        position = found.end
    out.append(text[position:])
    wrapped = "".join(out)
    if media_keys:  # one trailing link stands for the attachments
        link = tco(tweet_id, len(urls))
        wrapped = f"{wrapped} {link}" if wrapped else link
        start = len(wrapped) - len(link)
        expanded = f"https://x.com/{username}/status/{tweet_id}/{media_kind}/1"
        urls.append(
            {
                "start": start,
                "end": start + len(link),
                "url": link,
                "expanded_url": expanded,
                "display_url": f"pic.x.com/{link.removeprefix(TCO)}",
                "media_key": media_keys[0],
            }
        )
    return Wrapped(wrapped, urls)
