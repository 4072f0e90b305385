"""Building plain Python data from libyaml's events, in one tight loop.

One pass over the events that :class:`yaml.CParser` (libyaml) produces, with the project's own
limits and rules (see :mod:`campaigns.spec.yaml_tree` for what they are and why). The loop is
written flat, with locals instead of methods, because it runs for every value of every spec: a
large campaign has hundreds of thousands of events, and per-event overhead is most of the cost.

Positions are recorded only when ``track`` is set (a second parse, made only when there are
problems to report).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from campaigns.spec import yaml_scalars

MAX_DEPTH = 32
MAX_EXPANDED_NODES = 250_000

Path = tuple[str | int, ...]
Mark = tuple[int, int]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml; pure Python only without it
_SAFE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
)
_HASHTAG_COMMENT = re.compile(r"^(\s+#\w.*?)\s*$")
_MAY_HAVE_HASHTAG_COMMENT = re.compile(r"[ \t]#\w")
_SHARED_MAX_CHARS = 16  # short values repeat: keep one copy of each (a spec may hold 100,000 posts)
_EXPECT_KEY = object()  # a mapping's pending key when the next scalar is a key

ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
MappingStartEvent, SequenceStartEvent = yaml.MappingStartEvent, yaml.SequenceStartEvent
MappingEndEvent, SequenceEndEvent = yaml.MappingEndEvent, yaml.SequenceEndEvent
DocumentStartEvent, StreamEndEvent = yaml.DocumentStartEvent, yaml.StreamEndEvent


class YamlError(Exception):
    """The text is not YAML we accept. ``line`` and ``col`` are 1-based."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class Located:
    """Where a path's key and value start (1-based line, col)."""

    key: Mark | None
    value: Mark


@dataclass
class Built:
    root: Any = None
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    positions: dict[Path, Located] = field(default_factory=dict)


def _pos(mark: Any) -> Mark:
    return (mark.line + 1, mark.column + 1)


def _checked_tag(tag: str, event: Any) -> str:
    if tag not in _SAFE_TAGS:
        raise YamlError(f"the YAML tag {tag!r} is not allowed in a campaign spec", *_pos(event.start_mark))
    return tag


def _key_name(value: Any) -> str:
    """A key that YAML typed (``yes``, ``1``, ``~``) as the spec model names it: as text."""
    return str(value) if value is not None else "null"


def _child_path(top: Any, key: Any, path: Path) -> Path:
    if top.__class__ is dict:
        return (*path, key)
    return (*path, len(top)) if top is not None else ()


def _merge_sources(value: Any, event: Any) -> list[dict[str, Any]]:
    sources = value if isinstance(value, list) else [value]
    if not all(isinstance(source, dict) for source in sources):
        raise YamlError("'<<' must merge a mapping or a list of mappings", *_pos(event.start_mark))
    return sources


def _apply_merges(container: dict[str, Any], merges: list[dict[str, Any]]) -> None:
    merged: dict[str, Any] = {}
    for source in reversed(merges):
        merged.update(source)
    merged.update(container)
    container.clear()
    container.update(merged)


def _hashtags_after(lines: list[str], end: Any) -> str:
    """A hashtag "comment" right after a plain scalar on its line: part of the text to whoever wrote it."""
    rest = lines[end.line][end.column :] if end.line < len(lines) else ""
    match = _HASHTAG_COMMENT.match(rest)
    return match.group(1) if match else ""


def build(text: str, *, track: bool = False) -> Built:
    """The data ``text`` holds. Raises :class:`YamlError` (own limits) or ``yaml.YAMLError`` (syntax)."""
    built = Built()
    positions = built.positions
    hashtags_possible = _MAY_HAVE_HASHTAG_COMMENT.search(text) is not None
    lines: list[str] | None = None
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, how many values it expands to)
    shared: dict[str, str] = {}  # one object per short quoted value ("09:00" x 1,000 posts)
    plain_keys: dict[str, str] = {}  # a plain key as written -> the key (keys repeat: type each once)
    # Per open container below ``top``: (its parent, the parent's key, key_mark, path and merges,
    # its own anchor, and how many values there were when it opened). Tuples: the cheapest to make.
    stack: list[tuple[Any, Any, Any, Path, Any, str | None, int]] = []
    top: Any = None  # the container being filled: a dict, a list, or None at the document level
    key: Any = _EXPECT_KEY  # when ``top`` is a dict: the key whose value comes next
    key_mark: Any = None
    merges: list[dict[str, Any]] | None = None  # what "<<" merges into ``top``
    path: Path = ()
    expanded = 0
    done = False
    loader = _Loader(text)
    get_event = loader.get_event
    try:
        while True:
            event = get_event()
            kind = event.__class__
            plain = closed = False
            if kind is ScalarEvent:
                value: Any = event.value
                if (
                    key is _EXPECT_KEY
                    and event.implicit[0]
                    and event.tag is None
                    and event.anchor is None
                    and top.__class__ is dict
                ):
                    # The commonest event of all: a plain key ("text:", "time:"), typed once per spelling.
                    key = plain_keys.get(value)
                    if key is None:
                        typed = yaml_scalars.plain(value)
                        key = plain_keys[value] = typed if typed.__class__ is str else _key_name(typed)
                    key_mark = event.start_mark
                    expanded += 1
                    continue
                tag = event.tag
                plain = not event.style
                if tag is not None and tag != "!":
                    value = yaml_scalars.typed(_checked_tag(tag, event), value)
                elif event.implicit[0]:
                    value = yaml_scalars.plain(value)
                elif len(value) <= _SHARED_MAX_CHARS:  # quoted: times, channels, short words
                    value = shared.setdefault(value, value)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
                expanded += 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag is not None and event.tag != "!":
                    _checked_tag(event.tag, event)
                if len(stack) >= MAX_DEPTH:
                    raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", *_pos(event.start_mark))
                if top.__class__ is dict and key is _EXPECT_KEY:
                    raise YamlError(
                        "a key must be a simple word, not a list or mapping", *_pos(event.start_mark)
                    )
                child_path = path
                if track:
                    child_path = _child_path(top, key, path)
                    at_key = _pos(key_mark) if top.__class__ is dict else None
                    positions[child_path] = Located(at_key, _pos(event.start_mark))
                stack.append((top, key, key_mark, path, merges, event.anchor, expanded))
                top = {} if kind is MappingStartEvent else []
                key, key_mark, path, merges = _EXPECT_KEY, None, child_path, None
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value, closed = top, True
                if merges:
                    _apply_merges(value, merges)
                top, key, key_mark, path, merges, anchor, expanded_at_open = stack.pop()
                expanded += 1
                if anchor is not None:
                    anchors[anchor] = (value, expanded - expanded_at_open)
            elif kind is AliasEvent:
                if event.anchor not in anchors:
                    raise YamlError(
                        f"'*{event.anchor}' refers to nothing (a value starting with '*' must be put in quotes)",
                        *_pos(event.start_mark),
                    )
                value, size = anchors[event.anchor]
                expanded += size
            elif kind is StreamEndEvent:
                break
            elif kind is DocumentStartEvent and done:
                raise YamlError(
                    "only one YAML document per file (remove the second '---')", *_pos(event.start_mark)
                )
            else:
                continue
            if expanded > MAX_EXPANDED_NODES:
                raise YamlError(
                    f"the document expands to more than {MAX_EXPANDED_NODES:,} values "
                    "(too many aliases, or far too large for a campaign)",
                    *_pos(event.start_mark),
                )
            # A finished value (a scalar, an alias or a closed container): put it in its place.
            if top.__class__ is dict:
                if key is _EXPECT_KEY:
                    if isinstance(value, (dict, list)):
                        raise YamlError(
                            "a key must be a simple word, not a list or mapping", *_pos(event.start_mark)
                        )
                    key, key_mark = (value if value.__class__ is str else _key_name(value)), event.start_mark
                    continue
                if key == "<<":
                    merges = [*(merges or []), *_merge_sources(value, event)]
                    key = _EXPECT_KEY
                    continue
                if plain and hashtags_possible and value.__class__ is str:
                    if lines is None:
                        lines = text.splitlines()
                    value += _hashtags_after(lines, event.end_mark)
                if track and not closed:
                    positions[(*path, key)] = Located(_pos(key_mark), _pos(event.start_mark))
                if key in top:
                    built.duplicates.append((key, *_pos(key_mark)))
                else:
                    top[key] = value
                key = _EXPECT_KEY
            elif top is not None:
                if plain and hashtags_possible and value.__class__ is str:
                    if lines is None:
                        lines = text.splitlines()
                    value += _hashtags_after(lines, event.end_mark)
                if track and not closed:
                    positions[(*path, len(top))] = Located(None, _pos(event.start_mark))
                top.append(value)
            else:
                built.root = value
                done = True
    finally:
        loader.dispose()
    return built
