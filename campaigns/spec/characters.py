"""Characters that make a hashtag or a name not what it looks like.

- Invisible characters (Unicode "format" characters: zero-width spaces and joiners, bidi marks,
  embeddings, overrides and isolates, the BOM, the soft hyphen) inside a hashtag split it on X and
  Facebook, or reorder what is shown: always a mistake (text pasted from a document) or a trick.
  They are refused.
- Letters from Cyrillic or Greek mixed with Latin ones in one hashtag (``#SSWWееk`` with two Cyrillic
  'е') look like the campaign's hashtag but are a different one that nobody searches for. Mixing
  Latin with other scripts is ordinary (``#Tokyo東京``), so only these look-alike scripts are warned about.
"""

from __future__ import annotations

import re
import unicodedata

# Every Unicode "Cf" (format) character a text is likely to carry; whatever matches is checked for
# category Cf before being named.
_FORMAT_CHARS = "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
_HASHTAG_IN_TEXT = re.compile(rf"#[\w{_FORMAT_CHARS}]*\w[\w{_FORMAT_CHARS}]*")
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")
# unicodedata has no names for control characters.
_CONTROL_NAMES = {"\r": "CARRIAGE RETURN", "\n": "LINE FEED", "\t": "TAB"}


def describe(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: how a message names a character people cannot see."""
    name = unicodedata.name(char, None) or _CONTROL_NAMES.get(char, "CONTROL CHARACTER")
    return f"U+{ord(char):04X} {name}"


def shown(text: str) -> str:
    """``text`` quoted, with invisible and control characters written as escapes."""
    return "'" + "".join(f"\\u{ord(c):04x}" if _hidden(c) else c for c in text) + "'"


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in ("Cf", "Cc")


def invisible_in_hashtag(tag: str) -> str | None:
    """The message for the first invisible character in ``tag``, or None."""
    for index, char in enumerate(tag, start=1):
        if unicodedata.category(char) == "Cf":
            return (
                f"hashtag {shown(tag)} has an invisible character, {describe(char)}, at character "
                f"{index}: delete it (it splits or reorders the hashtag)"
            )
    return None


def lookalike_in_hashtag(tag: str) -> str | None:
    """The message for a hashtag mixing Latin letters with Cyrillic or Greek ones, or None."""
    scripts = {_script(c) for c in tag if c.isalpha()}
    if "LATIN" not in scripts:
        return None
    for index, char in enumerate(tag, start=1):
        script = _script(char) if char.isalpha() else ""
        if script in _LOOKALIKE_SCRIPTS:
            return (
                f"hashtag {shown(tag)} mixes Latin and {script.title()} letters: character {index}, "
                f"'{char}', is {describe(char)}; it looks like a Latin letter but makes a different hashtag"
            )
    return None


def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def hashtags_in(text: str) -> list[str]:
    """Hashtags in a post's text, invisible characters inside them included."""
    return _HASHTAG_IN_TEXT.findall(text)


def control_in_name(name: str) -> str | None:
    """The message for a line break, control or invisible character in a campaign name, or None.

    The name goes into e-mail subjects, report titles and the dashboard: one visible line only.
    """
    for index, char in enumerate(name, start=1):
        if _hidden(char):
            return (
                f"the campaign name has {describe(char)} at character {index}: "
                "a name is one line of visible text"
            )
    return None
