"""The fast path of the spec reader: rapidyaml parses, a short walk builds the same data as the reference.

rapidyaml (C++) parses a large spec several times faster than PyYAML produces its events. The walk
takes only what it reads exactly as :mod:`campaigns.spec.yaml_tree` does: mappings, lists and
scalars in one document. On anything else ``read`` returns None and the caller runs the reference
reader, which also reports problems with their positions: tags, anchors and aliases, merge keys,
duplicate, null or very long keys, nesting deeper than the limit, directives and document markers
after the first "---", backslash escapes, tabs, characters PyYAML refuses, a text not ending with a
line break, plain scalars PyYAML would refuse (an indicator first, ":" inside [...]), a plain
scalar folded from several lines where a hashtag comment may follow, a mapping inside [...], "- "
after a quoted scalar on its line, text after a block scalar header, YAML syntax errors, and a
document too big for the alias budget. ``tests/test_spec_reader_equivalence.py`` checks the two
readers against each other; every rule above comes from a difference found there.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ryml  # type: ignore[import-untyped]
from ryml import _ryml

from campaigns.spec import yaml_scalars

# Node type bits (rapidyaml's NodeType flags).
_MAP, _SEQ, _STREAM = _ryml.MAP, _ryml.SEQ, _ryml.STREAM
_KEY_PLAIN, _VAL_PLAIN, _VAL_NULL = _ryml.KEY_PLAIN, _ryml.VAL_PLAIN, _ryml.VALNIL
_QUOTED_VAL = _ryml.VAL_SQUO | _ryml.VAL_DQUO
_VAL_WRITTEN = _QUOTED_VAL | _ryml.VAL_LITERAL | _ryml.VAL_FOLDED  # the text as written is the value
_GIVE_UP = (_ryml.KEYREF | _ryml.VALREF | _ryml.KEYANCH | _ryml.VALANCH | _ryml.KEYTAG | _ryml.VALTAG) | (
    _ryml.KEYNIL | _ryml.KEY_UNFILT | _ryml.VAL_UNFILT
)
_FLOW = _ryml.FLOW_SL | _ryml.FLOW_ML
_NONE = _ryml.cvar.NONE

# Bytes of characters that the walk leaves to the reference: backslash escapes (rapidyaml and PyYAML
# know different ones), and the control characters PyYAML refuses (all but tab, LF and CR).
_UNUSUAL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, ord("\\")])
# Also left to the reference: C1 controls (NEL is a line break to PyYAML), line and paragraph
# separators, byte order marks and non-characters, as UTF-8. Searched with ``in`` (fast) rather
# than one regex, which would look at every byte of the text.
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")
_SEPARATORS = re.compile(rb"\xe2\x80[\xa8\xa9]")
_BOM_AND_NON_CHARACTERS = (b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf")
# A quoted scalar followed on its line by "- ": rapidyaml reads `- "a" - "b"` as two items, PyYAML
# refuses it. (Also matches harmless text such as "it's - fine" inside quotes: the reference reads those.)
_DASH_AFTER_QUOTE = re.compile(rb"[\"'] +-[ \n]")
# A block scalar header ("|", ">-", ...) first on its line with text after it: PyYAML refuses it
# ("did not find expected comment or line break"), rapidyaml reads an empty value.
_TEXT_AFTER_HEADER = re.compile(rb"^ *(?:- +)?[|>][-+0-9]* +[^#\s]", re.MULTILINE)
# A hashtag after a plain scalar is a YAML comment that the reference puts back (see yaml_tree).
_MAY_HAVE_HASHTAG_COMMENT = re.compile(r"[ \t]#\w")
_HASHTAG_COMMENT = re.compile(r"^(\s+#\w.*?)\s*$")
# PyYAML refuses a key of more than 1,024 characters as written (quotes and escapes included);
# rapidyaml reads it. Well below that, the walk cannot be wrong.
_LONG_KEY = 500
# Plain scalars starting with an indicator: PyYAML refuses some that rapidyaml reads. Only "-" then
# a non-space (a negative number, a word) is left to the walk. So are plain scalars with ":" inside
# [...] or {...}, which YAML 1.2 (rapidyaml) allows and YAML 1.1 (PyYAML) does not.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


class _GiveUp(Exception):
    """The document is outside what the walk reads exactly: use the reference reader."""


def read(text: str, *, max_depth: int, max_nodes: int) -> dict[str, Any] | None:
    """The mapping ``text`` holds, read as the reference reader would; None when the reference must decide.

    Also None while other threads run: the parse silences file descriptor 2, which they may write to.
    """
    if threading.active_count() > 1:
        return None
    return read_alone(text, max_depth=max_depth, max_nodes=max_nodes)


def read_alone(text: str, *, max_depth: int, max_nodes: int) -> dict[str, Any] | None:
    """``read`` for a caller that knows no other thread writes to stderr during the call."""
    source = _usual_source(text)
    if source is None:
        return None
    buffer = bytearray(source)
    tree = ryml.Tree()
    try:
        with _quiet_stderr():
            _ryml.parse_substr(buffer, tree.this)
    except ryml.ExceptionParse:
        return None
    if tree.size() * 2 > max_nodes:  # the reference counts a key and its value: at most 2 per node
        return None
    hashtags = _MAY_HAVE_HASHTAG_COMMENT.search(text) is not None
    try:
        return _Walk(tree, source, buffer, max_depth, hashtags).document()
    except _GiveUp:
        return None


def _usual_source(text: str) -> bytes | None:
    """``text`` as UTF-8 with LF line ends, or None if it has anything the walk leaves to the reference.

    CRLF becomes LF: both readers treat them alike, in quoted and block scalars too.
    """
    try:
        source = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    if b"\r" in source:
        source = source.replace(b"\r\n", b"\n")
        if b"\r" in source:  # a CR alone is a line break to PyYAML
            return None
    if not source.endswith(b"\n"):  # rapidyaml ends a block scalar at the end of the text with a line break
        return None
    if b"\t" in source:  # PyYAML and rapidyaml differ on where a tab may stand
        return None
    if len(source.translate(None, _UNUSUAL_BYTES)) != len(source):
        return None
    if b"\xc2" in source and _C1_CONTROL.search(source) is not None:
        return None
    if _SEPARATORS.search(source) is not None:
        return None
    if b"\xef" in source and any(sequence in source for sequence in _BOM_AND_NON_CHARACTERS):
        return None
    if _DASH_AFTER_QUOTE.search(source) is not None or _TEXT_AFTER_HEADER.search(source) is not None:
        return None
    if b"%" in source and (source.startswith(b"%") or b"\n%" in source):  # a directive
        return None
    # Document markers other than a first "---": where a document ends, the two parsers differ.
    if source.startswith(b"...") or b"\n..." in source or b"\n---" in source:
        return None
    return source


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: rapidyaml prints its syntax errors there before raising.

    ``read`` runs it only when no other thread could write there meanwhile.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to keep clean
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


class _Walk:
    """Builds Python data from a parsed tree, node by node (calls go straight to rapidyaml's functions)."""

    def __init__(self, tree: Any, source: bytes, buffer: bytearray, max_depth: int, hashtags: bool) -> None:
        self.tree = tree.this
        self.source = source
        self.view = memoryview(buffer)  # rapidyaml's strings point into this buffer
        self.max_depth = max_depth
        self.hashtags = hashtags  # False: no hashtag comment anywhere, skip looking after each scalar
        self.cursor = 0  # plain scalars come in document order: look for the next one from here
        self.keys: dict[str, str] = {}  # plain key as written -> key as the reference names it

    def document(self) -> dict[str, Any]:
        node = _ryml.Tree_root_id(self.tree)
        kind = _ryml.Tree_type(self.tree, node)
        if kind & _STREAM == _STREAM:  # explicit "---": one document only
            node = _ryml.Tree_first_child(self.tree, node)
            if node == _NONE or _ryml.Tree_next_sibling(self.tree, node) != _NONE:
                raise _GiveUp
            kind = _ryml.Tree_type(self.tree, node)
        if not kind & _MAP or kind & _GIVE_UP:
            raise _GiveUp
        return self.mapping(node, kind, 1)

    def mapping(self, node: int, kind: int, depth: int) -> dict[str, Any]:
        if depth > self.max_depth:
            raise _GiveUp
        flow = bool(kind & _FLOW)
        tree, keys, out = self.tree, self.keys, {}
        child = _ryml.Tree_first_child(tree, node)
        while child != _NONE:
            kind = _ryml.Tree_type(tree, child)
            if kind & _GIVE_UP:
                raise _GiveUp
            key = str(_ryml.Tree_key(tree, child), "utf-8")
            if len(key) > _LONG_KEY:
                raise _GiveUp
            if kind & _KEY_PLAIN:
                if flow and ":" in key:
                    raise _GiveUp
                key = keys.get(key) or self.plain_key(key)
            if key in out or key == "<<":  # duplicates and merges: the reference handles them
                raise _GiveUp
            if kind & _QUOTED_VAL:  # the commonest value: quoted text, taken as it is
                out[key] = str(_ryml.Tree_val(tree, child), "utf-8")
            else:
                out[key] = self.value(child, kind, depth, flow)
            child = _ryml.Tree_next_sibling(tree, child)
        return out

    def sequence(self, node: int, kind: int, depth: int) -> list[Any]:
        if depth > self.max_depth:
            raise _GiveUp
        flow = bool(kind & _FLOW)
        tree, out = self.tree, []
        child = _ryml.Tree_first_child(tree, node)
        while child != _NONE:
            kind = _ryml.Tree_type(tree, child)
            if kind & _GIVE_UP:
                raise _GiveUp
            if kind & _MAP:  # the commonest item (a post): straight to its keys
                if flow:  # "[key: value]": libyaml refuses some that rapidyaml reads ("[key:]")
                    raise _GiveUp
                out.append(self.mapping(child, kind, depth + 1))
            else:
                out.append(self.value(child, kind, depth, flow))
            child = _ryml.Tree_next_sibling(tree, child)
        return out

    def plain_key(self, written: str) -> str:
        if written[:1] in _INDICATORS and not _dash_word(written):
            raise _GiveUp
        value = yaml_scalars.plain(written)
        key = self.keys[written] = str(value) if value is not None else "null"  # as the reference names keys
        return key

    def value(self, node: int, kind: int, depth: int, flow: bool) -> Any:
        if kind & _MAP:
            return self.mapping(node, kind, depth + 1)
        if kind & _SEQ:
            return self.sequence(node, kind, depth + 1)
        if kind & _VAL_NULL:  # "key:" with nothing after it: an empty plain scalar
            return yaml_scalars.plain("")
        written = _ryml.Tree_val(self.tree, node)
        if written is None or not kind & (_VAL_PLAIN | _VAL_WRITTEN):
            raise _GiveUp
        if not kind & _VAL_PLAIN:
            return str(written, "utf-8")
        text = str(written, "utf-8")
        if (text[:1] in _INDICATORS and not _dash_word(text)) or (flow and ":" in text):
            raise _GiveUp
        value = yaml_scalars.plain(text)
        if self.hashtags and isinstance(value, str):
            value += self.hashtags_after(written)
        return value

    def hashtags_after(self, written: memoryview) -> str:
        """What the reference appends to a plain scalar: a hashtag "comment" after it on its line."""
        needle = bytes(written)
        start = self.source.find(needle, self.cursor) if needle else -1
        # The scalar points into the buffer: find the occurrence of its text at that very address.
        while start != -1 and not _ryml._same_ptr(written, self.view[start:]):
            start = self.source.find(needle, start + 1)
        if start == -1:  # folded from several lines: its end is not where its text ends
            raise _GiveUp
        end = self.cursor = start + len(needle)
        line_end = self.source.find(b"\n", end)
        rest = self.source[end : line_end if line_end != -1 else len(self.source)].decode("utf-8")
        match = _HASHTAG_COMMENT.match(rest)
        return match.group(1) if match else ""


def _dash_word(text: str) -> bool:
    return len(text) > 1 and text[0] == "-" and text[1] not in " -"
