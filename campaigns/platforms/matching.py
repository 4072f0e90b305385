"""Is this remote post the one we meant to publish? (reconciliation after a crash or a timeout)

Platforms give the text back changed: X shortens every link to ``https://t.co/...`` and escapes
``&<>`` as HTML entities; both may strip or fold whitespace. So texts are compared after
normalising whitespace and Unicode, unescaping entities, and replacing every URL by a marker.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime, timedelta

# find_published looks this much before ``since``: our clock and the platform's may disagree, and
# Graph times have whole seconds.
CLOCK_SKEW = timedelta(minutes=2)

_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _URL.sub("<link>", text)
    return " ".join(text.split())


def same_text(mine: str, theirs: str) -> bool:
    """True when ``theirs`` (as the platform shows it) is ``mine`` (as we sent it)."""
    return normalise(mine) == normalise(theirs)


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
