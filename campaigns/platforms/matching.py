"""Is this remote post the one we meant to publish? (reconciliation after a crash or a timeout)

The whole text is compared, links included: two posts of a campaign often differ only in their
link (one a day, each pointing at that day's page), so a link may not be waved through as "some
link". What the platforms change is undone first:

- X stores every URL, bare domains included, as a ``https://t.co/...`` link and gives the
  expansion in ``entities.urls`` (``expand_links``); an attachment adds a trailing t.co link
  (an entity with a ``media_key``), which is dropped. X also escapes ``&<>`` as HTML entities.
- Both may fold whitespace; a bare domain comes back with ``http://`` in front.

So both texts are NFC-normalised, unescaped, their URLs written without scheme, and their
whitespace folded, then compared for equality.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from campaigns.text import extract_urls_with_indices

# find_candidates looks this much before ``since``: our clock and the platform's may disagree, and
# Graph times have whole seconds.
CLOCK_SKEW = timedelta(minutes=2)

_SCHEME = re.compile(r"^https?://", re.IGNORECASE)


def _url_key(url: str) -> str:
    return _SCHEME.sub("", url)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text))
    pieces: list[str] = []
    position = 0
    for found in extract_urls_with_indices(text):
        pieces += [text[position : found.start], _url_key(text[found.start : found.end])]
        position = found.end
    pieces.append(text[position:])
    return " ".join("".join(pieces).split())


def same_text(mine: str, theirs: str) -> bool:
    """True when ``theirs`` (as the platform shows it, t.co links expanded) is ``mine`` (as we sent it)."""
    return normalise(mine) == normalise(theirs)


def expand_links(text: str, urls: Iterable[Mapping[str, Any]]) -> str:
    """X's stored ``text`` with each t.co link of ``entities.urls`` replaced by its ``expanded_url``,
    and the attachment's trailing link (an entity with a ``media_key``) removed."""
    out = text
    # From the end, so that earlier indices stay right.
    for entity in sorted(urls, key=lambda e: int(e.get("start", 0)), reverse=True):
        start, end = int(entity.get("start", 0)), int(entity.get("end", 0))
        if out[start:end] != entity.get("url"):  # indices that do not fit: look the link up instead
            start = out.find(str(entity.get("url")))
            if start < 0:
                continue
            end = start + len(str(entity.get("url")))
        replacement = "" if entity.get("media_key") else str(entity.get("expanded_url") or entity.get("url"))
        out = out[:start] + replacement + out[end:]
    return out.strip()


def with_link(text: str, link: str | None) -> str:
    """The text as published on a platform that has no separate link field (X)."""
    if not link or link in text:
        return text
    return f"{text} {link}"


def has_hashtag(text: str, hashtag: str) -> bool:
    """Whole-tag, case-insensitive: ``#SSW`` matches ``#ssw!`` but not ``#SSWeek``."""
    tag = re.escape(hashtag.lstrip("#"))
    return re.search(rf"(?<!\w)#{tag}(?!\w)", text, re.IGNORECASE) is not None


def search_start(since: datetime) -> datetime:
    """Where to start looking for a post we may have published at or after ``since``."""
    return since - CLOCK_SKEW
