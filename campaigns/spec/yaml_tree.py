"""A hardened YAML reader: plain data only, with positions for error messages.

Campaign specs come from people, and sometimes from places we do not control, so the reader:
- accepts only plain data (mappings, lists, text, numbers, booleans, null); any other tag
  (``!!python/object`` and friends) is refused;
- refuses deep nesting and alias bombs ("billion laughs") by counting what aliases expand to;
- refuses duplicate keys (YAML would silently keep the last one, hiding a mistake);
- keeps hashtags in unquoted text: YAML reads `` #SSWWeek`` after a plain value as a comment, which
  is never what someone writing a post means, so a "comment" that starts with a hashtag (``#`` then
  a letter or digit, no space) is put back at the end of the text it follows;
- keeps times like ``13:00`` as text (YAML 1.1 would read them as the number 780) and dates as text,
  so that the spec model can report a bad date with its own clear message.

Positions are not kept while loading (that would slow down the happy path); :func:`locate` finds
the position of a path again when there is a problem to report.

The PyYAML event reader below is the reference. Large documents are read by rapidyaml instead
(:mod:`campaigns.spec.yaml_fast`, several times faster), which gives the same data or hands the
document back to the reference; ``tests/test_spec_reader_equivalence.py`` holds it to that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from campaigns.spec import yaml_scalars

MAX_DEPTH = 32
MAX_EXPANDED_NODES = 250_000
FAST_PATH_MIN_CHARS = 16_384  # below this PyYAML takes a few ms, less than importing rapidyaml

Path = tuple[str | int, ...]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:merge",
}
_HASHTAG_COMMENT = re.compile(r"^(\s+#\w.*?)\s*$")


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

    key: tuple[int, int] | None
    value: tuple[int, int]


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    key: str | None = None  # mapping frames: the key whose value comes next
    key_mark: tuple[int, int] | None = None
    merges: list[dict[str, Any]] = field(default_factory=list)


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _checked_tag(event: Any) -> str:
    tag: str = event.tag
    if tag not in _SAFE_TAGS:
        raise YamlError(f"the YAML tag {tag!r} is not allowed in a campaign spec", *_pos(event.start_mark))
    return tag


def _scalar(event: yaml.ScalarEvent) -> Any:
    value: str = event.value
    if event.tag not in (None, "!"):
        return yaml_scalars.typed(_checked_tag(event), value)
    if event.implicit[0]:
        return yaml_scalars.plain(value)
    return value


class _Builder:
    """Turns the parser's event stream into Python data, optionally recording positions."""

    def __init__(self, text: str, track: bool) -> None:
        self.lines = text.splitlines()
        self.track = track
        self.positions: dict[Path, Located] = {}
        self.duplicates: list[tuple[str, int, int]] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, expanded node count)
        self.stack: list[_Frame] = []
        self.sizes: list[int] = []  # expanded node count of each open container
        self.open_anchors: list[str | None] = []
        self.expanded = 0
        self.root: Any = None
        self.done = False

    def _count(self, n: int, event: Any) -> None:
        self.expanded += n
        if self.sizes:
            self.sizes[-1] += n
        if self.expanded > MAX_EXPANDED_NODES:
            raise YamlError(
                f"the document expands to more than {MAX_EXPANDED_NODES:,} values "
                "(too many aliases, or far too large for a campaign)",
                *_pos(event.start_mark),
            )

    def _next_path(self) -> Path:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        assert top.key is not None
        return (*top.path, top.key)

    def _attach(self, value: Any, event: Any) -> None:
        """Place a finished value in its parent (or as the root)."""
        if not self.stack:
            self.root = value
            self.done = True
            return
        top = self.stack[-1]
        if isinstance(top.container, list):
            top.container.append(value)
            return
        if top.key is None:  # this value is a key
            if not isinstance(value, (str, int, float, bool)) and value is not None:
                raise YamlError("a key must be a simple word, not a list or mapping", *_pos(event.start_mark))
            top.key = str(value) if value is not None else "null"
            top.key_mark = _pos(event.start_mark)
            return
        key, top.key = top.key, None
        if key == "<<":
            self._merge(top, value, event)
        elif key in top.container:
            line, col = top.key_mark or _pos(event.start_mark)
            self.duplicates.append((key, line, col))
        else:
            top.container[key] = value

    def _merge(self, frame: _Frame, value: Any, event: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(s, dict) for s in sources):
            raise YamlError("'<<' must merge a mapping or a list of mappings", *_pos(event.start_mark))
        frame.merges.extend(sources)

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.ScalarEvent):
            value = _scalar(event)
            if isinstance(value, str) and not event.style and not self._expecting_key():
                value += self._hashtags_after(event)
            self._record(event, is_key=self._expecting_key())
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self._count(1, event)
            self._attach(value, event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._open(event)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._close(event)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise YamlError(f"unknown alias *{event.anchor}", *_pos(event.start_mark))
            value, size = self.anchors[event.anchor]
            self._record(event, is_key=self._expecting_key())
            self._count(size, event)
            self._attach(value, event)
        elif isinstance(event, yaml.DocumentStartEvent) and self.done:
            raise YamlError(
                "only one YAML document per file (remove the second '---')", *_pos(event.start_mark)
            )

    def _hashtags_after(self, event: yaml.ScalarEvent) -> str:
        end = event.end_mark
        if end is None:
            return ""
        rest = self.lines[end.line][end.column :] if end.line < len(self.lines) else ""
        match = _HASHTAG_COMMENT.match(rest)
        return match.group(1) if match else ""

    def _expecting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].container, dict) and self.stack[-1].key is None

    def _record(self, event: Any, *, is_key: bool) -> None:
        if not self.track or is_key:
            return
        top = self.stack[-1] if self.stack else None
        key_mark = top.key_mark if top is not None and isinstance(top.container, dict) else None
        self.positions[self._next_path()] = Located(key_mark, _pos(event.start_mark))

    def _open(self, event: Any) -> None:
        if event.tag not in (None, "!"):
            _checked_tag(event)
        if len(self.stack) >= MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", *_pos(event.start_mark))
        is_key = self._expecting_key()
        if is_key:
            raise YamlError("a key must be a simple word, not a list or mapping", *_pos(event.start_mark))
        self._record(event, is_key=False)
        path = self._next_path()
        container: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.stack.append(_Frame(container, path))
        self.sizes.append(1)
        self.open_anchors.append(event.anchor)

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        size = self.sizes.pop()
        anchor = self.open_anchors.pop()
        container = frame.container
        if isinstance(container, dict) and frame.merges:
            merged: dict[str, Any] = {}
            for source in reversed(frame.merges):
                merged.update(source)
            merged.update(container)
            container.clear()
            container.update(merged)
        if anchor:
            self.anchors[anchor] = (container, size)
        self.expanded += 1
        if self.sizes:
            self.sizes[-1] += size
        self._attach(container, event)


def _parse(text: str, track: bool) -> _Builder:
    builder = _Builder(text, track)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark is not None else (1, 1)
        raise YamlError(f"YAML syntax: {exc.problem or exc.context}", line, col) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML syntax: {exc}") from None
    return builder


def load(text: str) -> tuple[Any, list[tuple[str, int, int]]]:
    """Parse ``text``; return the data and the duplicate keys found as ``(key, line, col)``.

    Raises :class:`YamlError` for anything that is not acceptable plain YAML data. Large documents
    go through the rapidyaml fast path (:mod:`yaml_fast`), which gives the same data or hands over
    to the reference reader below; small ones are read by the reference reader at once, which is
    quicker than importing rapidyaml.
    """
    if len(text) >= FAST_PATH_MIN_CHARS:
        from campaigns.spec import yaml_fast

        data = yaml_fast.read(text, max_depth=MAX_DEPTH, max_nodes=MAX_EXPANDED_NODES)
        if data is not None:
            return data, []
    return load_reference(text)


def load_reference(text: str) -> tuple[Any, list[tuple[str, int, int]]]:
    """:func:`load` through PyYAML's events only: the reference the fast path is tested against."""
    builder = _parse(text, track=False)
    return builder.root, builder.duplicates


class Positions:
    """Where every path of a document is, from one extra parse: built only when there are problems to report."""

    def __init__(self, text: str) -> None:
        try:
            self._found = _parse(text, track=True).positions
            self._error: YamlError | None = None
        except YamlError as exc:
            self._found = {}
            self._error = exc

    def locate(self, path: Path) -> Located:
        """Where ``path`` (or, if it does not exist, its nearest existing parent) is."""
        if self._error is not None:
            return Located(None, (self._error.line, self._error.col))
        for end in range(len(path), -1, -1):
            found = self._found.get(path[:end])
            if found is not None:
                return found
        return Located(None, (1, 1))


def locate(text: str, path: Path) -> Located:
    """Where ``path`` is in ``text`` (see :class:`Positions` for many paths)."""
    return Positions(text).locate(path)
