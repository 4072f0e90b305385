"""A hardened YAML reader: plain data only, with positions for error messages.

Campaign specs come from people, and sometimes from places we do not control, so the reader:
- accepts only plain data (mappings, lists, text, numbers, booleans, null); any other tag
  (``!!python/object`` and friends) is refused;
- refuses deep nesting and alias bombs ("billion laughs") by counting what aliases expand to,
  with its own limits and words, whatever limits the parser has of its own;
- refuses duplicate keys (YAML would silently keep the last one, hiding a mistake);
- keeps hashtags in unquoted text: YAML reads `` #SSWWeek`` after a plain value as a comment, which
  is never what someone writing a post means, so a "comment" that starts with a hashtag (``#`` then
  a letter or digit, no space) is put back at the end of the text it follows;
- keeps times like ``13:00`` as text (YAML 1.1 would read them as the number 780) and dates as text,
  so that the spec model can report a bad date with its own clear message;
- reports syntax errors in its own words (:mod:`campaigns.spec.yaml_errors`), never the parser's.

One reader: PyYAML's libyaml parser (C) gives the events, with line and column marks, and one
tight loop builds the data (:mod:`campaigns.spec.yaml_events`). Positions are not kept while
loading; :class:`Positions` finds them again, with one more parse, when there is a problem to report.
"""

from __future__ import annotations

from typing import Any

import yaml

from campaigns.spec.yaml_events import MAX_DEPTH, MAX_EXPANDED_NODES, Built, Located, Path, YamlError, build

__all__ = ["MAX_DEPTH", "MAX_EXPANDED_NODES", "Located", "Path", "Positions", "YamlError", "load", "locate"]


def _parse(text: str, *, track: bool) -> Built:
    try:
        return build(text, track=track)
    except yaml.YAMLError as exc:
        from campaigns.spec import yaml_errors  # only when there is a mistake: start-up stays short

        raise yaml_errors.friendly(exc, text) from None
    except RecursionError:  # pure-Python parser only (no libyaml): it recurses per level of nesting
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels") from None


def load(text: str) -> tuple[Any, list[tuple[str, int, int]]]:
    """Parse ``text``; return the data and the duplicate keys found as ``(key, line, col)``.

    Raises :class:`YamlError` for anything that is not acceptable plain YAML data.
    """
    built = _parse(text, track=False)
    return built.root, built.duplicates


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
