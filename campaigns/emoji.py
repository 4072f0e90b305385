"""Emoji sequences as twitter-text v3 knows them (Unicode 12.0): where they are in a text.

A whole sequence (ZWJ family, skin tone, flag, keycap) weighs 2 in a post's length
(``campaigns.text``). The table is loaded on the first text that may hold a sequence, not at import.
"""

import json
import re
from functools import cache
from typing import NamedTuple

# The code points that can follow an emoji sequence's first one (``_EmojiTables.links``; a test
# checks that they agree): known without loading the emoji table, so that a text with none of
# them, most non-ASCII text, never loads it (~20 ms).
EMOJI_LINKS = frozenset(
    "\u200d\u20e3\ufe0f\U000e0067"
    + "".join(map(chr, range(0x1F1E6, 0x1F1FF + 1)))  # regional indicators: flags
    + "".join(map(chr, range(0x1F3FB, 0x1F3FF + 1)))  # skin tones
)


_Trie = dict[str, "_Trie"]


class _EmojiTables(NamedTuple):
    links: frozenset[str]  # the code points that can follow a sequence's first one
    link_pattern: re.Pattern[str]
    firsts: frozenset[str]
    trie: _Trie  # code point by code point; "" marks the end of a sequence


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """Find emoji sequences as twitter-text does: leftmost, longest, not overlapping; (start, end).

    Single code point emoji are left out: as plain characters they weigh 2 as well (twitter-text's
    upstream ports count a lone © or ® as 1: only ©/® + U+FE0F, a sequence, is an emoji there).
    """
    tables = emoji_tables()
    spans: list[tuple[int, int]] = []
    position = 0
    # Look for the second code points (rare in text) rather than for the many possible first ones.
    for link in tables.link_pattern.finditer(text, 1):
        start = end = link.start() - 1
        if start < position or text[start] not in tables.firsts:
            continue
        node = tables.trie
        for index in range(start, len(text)):
            if (child := node.get(text[index])) is None:
                break
            node = child
            if "" in node:
                end = index + 1
        if end > start:
            spans.append((start, end))
            position = end
    return spans


@cache
def emoji_tables() -> _EmojiTables:
    """Load the emoji sequences, on the first text that may hold one (~10 ms)."""
    from pathlib import Path  # here, not at the top: pathlib costs ~5 ms of import time

    data = json.loads((Path(__file__).parent / "data" / "emoji_sequences.json").read_text("utf-8"))
    sequences = ["".join(chr(int(code, 16)) for code in line.split()) for line in data["sequences"]]
    trie: _Trie = {}
    for sequence in sequences:
        node = trie
        for char in sequence:
            node = node.setdefault(char, {})
        node[""] = {}
    links = frozenset(sequence[1] for sequence in sequences)
    return _EmojiTables(links, re.compile(_char_class(links)), frozenset(s[0] for s in sequences), trie)


def _char_class(chars: frozenset[str]) -> str:
    """A regex class for ``chars`` with runs as ranges: Python scans astral literals one by one."""
    codes = sorted(map(ord, chars))
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return (
        "[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs) + "]"
    )
