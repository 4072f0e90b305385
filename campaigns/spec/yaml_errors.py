"""YAML syntax errors in the words of the people who write specs: what is wrong, and what to type.

PyYAML's messages ("could not find expected ':'", "found character that cannot start any token")
describe the parser, change between releases, and are never shown as they are. What is wrong is
read from the text at the positions the parser gives (which character is there, what the line
holds), so that the message stays the project's own whatever the library's wording.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from campaigns.spec.yaml_events import MAX_DEPTH, YamlError

_LINE_BREAK = re.compile(r"\r\n|\r|\n|\x85|\u2028|\u2029")  # the line breaks libyaml counts
_QUOTE_NAMES = {'"': "double", "'": "single"}
_CLOSERS = {"[": "]", "{": "}"}
_SPECIAL_FIRST = "@`%!&*|>]}"  # characters that a plain value may not start with (or that mean something)

TABS = "indent with spaces, not tabs (this line has a tab)"
BAD_INDENT = (
    "the indentation is off: line this up with the keys or '- ' items it belongs with "
    "(the same number of spaces for each item at the same level)"
)
GLUED_COLON = "put a space after the ':' of a key (write 'key: value')"
TEXT_WITHOUT_KEY = (
    "this line is text without a key: indent it to continue the text above, or write 'key: text'"
)
_KEY_LINE_MAX_WORDS = 4  # "timezone America/New_York" is a key missing its ':'; a sentence is text
_GLUED_COLON = re.compile(r"^\s*(?:- +)?[\w-]+:(?=[^\s:/])")  # not "https://"
NOT_YAML = (
    "this is not valid YAML here: check the quotes, colons and indentation on this line and the one before"
)


def friendly(exc: yaml.YAMLError, text: str) -> YamlError:
    """The project's one-line error for a PyYAML error on ``text``, at the spot to fix."""
    lines = _LINE_BREAK.split(text)
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(exc, text)
    if not isinstance(exc, yaml.MarkedYAMLError) or (exc.problem_mark or exc.context_mark) is None:
        return YamlError(NOT_YAML)
    problem = _at(exc.problem_mark or exc.context_mark)
    context = _at(exc.context_mark) if exc.context_mark is not None else None
    return _classify(lines, problem, context, is_scanner=isinstance(exc, yaml.scanner.ScannerError))


def _at(mark: Any) -> tuple[int, int]:
    """A mark as 0-based (line, column)."""
    return (mark.line, mark.column)


def _char(lines: list[str], at: tuple[int, int]) -> str:
    line, col = at
    if line >= len(lines):
        return ""
    return lines[line][col : col + 1]


def _error(message: str, at: tuple[int, int]) -> YamlError:
    return YamlError(message, at[0] + 1, at[1] + 1)


def _classify(
    lines: list[str], problem: tuple[int, int], context: tuple[int, int] | None, *, is_scanner: bool
) -> YamlError:
    """One question per kind of mistake, in order: the first that fits gives the message."""
    brackets = _open_brackets(lines, problem)
    if len(brackets) >= MAX_DEPTH:  # the parser's own limit came first: ours, where ours is crossed
        return _error(f"nesting deeper than {MAX_DEPTH} levels", brackets[MAX_DEPTH - 1][1])
    tab = _tab_in_indentation(lines, problem)
    if tab is not None:
        return _error(TABS, tab)
    found = _char(lines, problem)
    opened = _char(lines, context) if context is not None else ""
    return (
        _unclosed(found, problem, opened, context, brackets)
        or _key_mistake(lines, problem, context, is_scanner=is_scanner)
        or _value_mistake(lines, found, problem, opened, context)
        or _error(NOT_YAML, problem)
    )


def _unclosed(
    found: str,
    problem: tuple[int, int],
    opened: str,
    context: tuple[int, int] | None,
    brackets: list[tuple[str, tuple[int, int]]],
) -> YamlError | None:
    """A quote or bracket left open (or what went wrong inside one)."""
    if context is not None and opened in _QUOTE_NAMES:
        if found == "\\":
            return _error(
                "unknown escape after '\\' in double quotes: write '\\\\' for a backslash, or use single quotes",
                problem,
            )
        if problem > context:
            quote = _QUOTE_NAMES[opened]
            return _error(
                f"this {quote} quote is never closed: add a closing {opened} at the end of the text", context
            )
    if found == "," and brackets:
        return _error("an empty item between two commas: remove one ','", problem)
    if brackets:
        bracket, at = brackets[-1]
        closer = _CLOSERS[bracket]
        return _error(
            f"the '{bracket}' here is not closed: add '{closer}' after the last item "
            f"(and put items containing ': ' or '{closer}' in quotes)",
            at,
        )
    return None


def _key_mistake(
    lines: list[str], problem: tuple[int, int], context: tuple[int, int] | None, *, is_scanner: bool
) -> YamlError | None:
    """A key the parser started reading and found no ':' for, before the line ended."""
    if context is None or not is_scanner or problem[0] <= context[0] or not _missing_colon(lines, context):
        return None
    glued = _colon_without_space(lines, context[0])
    if glued is not None:
        return _error(GLUED_COLON, glued)
    if len(lines[context[0]].split()) > _KEY_LINE_MAX_WORDS:
        return _error(TEXT_WITHOUT_KEY, context)
    return _error(f"missing ':' after the key: write {_with_colon(lines, context)!r}", context)


def _value_mistake(
    lines: list[str], found: str, problem: tuple[int, int], opened: str, context: tuple[int, int] | None
) -> YamlError | None:
    """A value written in a way YAML reads otherwise: a special first character, ': ', a bad indent, ..."""
    if context is not None and opened and opened in "|>":
        return _error(
            f"text after '{opened}' on the same line: start the text on the next line, indented under the key",
            problem,
        )
    special = _special_start(found, problem, opened, context)
    if special is not None:
        first, at = special
        return _error(f"a value cannot start with '{first}' in YAML: put the value in quotes", at)
    if found == ":":
        if ": " in lines[problem[0]][: problem[1]]:
            return _error("a value containing ': ' must be put in quotes", _value_start(lines, problem))
        if _indented_more_than_before(lines, problem[0]):
            return _error(BAD_INDENT, _first_non_space(lines, problem[0]))
        glued = _colon_without_space(lines, problem[0])
        return _error(GLUED_COLON, glued) if glued is not None else None
    if _at_line_start(lines, problem):
        return _error(BAD_INDENT, problem)
    if found == "-":
        return _error(
            "a list item ('- ') cannot follow a key on the same line: start it on the next line", problem
        )
    if _after_closing_quote(lines, problem):
        return _error("text after the closing quote: put the whole value inside the quotes", problem)
    return None


def _special_start(
    found: str, problem: tuple[int, int], opened: str, context: tuple[int, int] | None
) -> tuple[str, tuple[int, int]] | None:
    """A character with a meaning of its own where a value starts ('@', '&', '*', '!', '%', ...)."""
    if found and found in _SPECIAL_FIRST:
        return found, problem
    if context is not None and opened and opened in "&*!%":
        return opened, context
    return None


def _reader_error(exc: yaml.reader.ReaderError, text: str) -> YamlError:
    """A character YAML refuses (control characters and the like)."""
    position = min(max(exc.position, 0), len(text))
    before = _LINE_BREAK.split(text[:position])
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return YamlError(
        f"the file contains a character YAML does not allow (U+{code:04X}): delete it",
        len(before),
        len(before[-1]) + 1,
    )


def _tab_in_indentation(lines: list[str], problem: tuple[int, int]) -> tuple[int, int] | None:
    """Where the tab is when the problem is a tab in the line's indentation (or a tab at the problem)."""
    if _char(lines, problem) == "\t":
        return problem
    if problem[0] >= len(lines):
        return None
    line = lines[problem[0]]
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indentation:
        return (problem[0], indentation.index("\t"))
    return None


def _open_brackets(lines: list[str], end: tuple[int, int]) -> list[tuple[str, tuple[int, int]]]:
    """The '[' and '{' still open at ``end`` (outside quotes and comments), innermost last."""
    opened: list[tuple[str, tuple[int, int]]] = []
    for number, line in enumerate(lines[: end[0] + 1]):
        text = line[: end[1]] if number == end[0] else line
        quote = ""
        previous = " "
        for col, char in enumerate(text):
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'" and previous in " [{,:":
                quote = char
            elif char == "#" and previous in " \t":
                break
            elif char in "[{" and (opened or previous in " -:?"):  # not inside a plain value
                opened.append((char, (number, col)))
            elif char in "]}" and opened:
                opened.pop()
            previous = char
    return opened


def _missing_colon(lines: list[str], context: tuple[int, int]) -> bool:
    """A key started at ``context`` whose line holds no ':' after it ("timezone America/New_York")."""
    rest = lines[context[0]][context[1] :].rstrip()
    return bool(rest) and ": " not in rest and not rest.endswith(":")


def _with_colon(lines: list[str], context: tuple[int, int]) -> str:
    """The key's line as it should be: a ':' after its first word."""
    rest = lines[context[0]][context[1] :].strip()
    word, _, value = rest.partition(" ")
    return f"{word}: {value.strip()}" if value.strip() else f"{word}:"


def _colon_without_space(lines: list[str], line: int) -> tuple[int, int] | None:
    """Where a ':' with no space after it follows a key ("time:"09:00""), on ``line`` or the line above."""
    for number in (line, line - 1):
        match = _GLUED_COLON.match(lines[number]) if 0 <= number < len(lines) else None
        if match is not None:
            return (number, match.end() - 1)
    return None


def _value_start(lines: list[str], problem: tuple[int, int]) -> tuple[int, int]:
    """Where the value holding the ':' at ``problem`` starts: after the first ': ' on its line."""
    line = lines[problem[0]]
    start = line.index(": ") + 2
    while start < problem[1] and line[start] == " ":
        start += 1
    return (problem[0], start)


def _first_non_space(lines: list[str], line: int) -> tuple[int, int]:
    text = lines[line] if line < len(lines) else ""
    return (line, len(text) - len(text.lstrip(" ")))


def _indented_more_than_before(lines: list[str], line: int) -> bool:
    """Whether ``line`` is indented more than the nearest line above it with something on it."""
    indent = _first_non_space(lines, line)[1]
    for above in range(line - 1, -1, -1):
        if lines[above].strip() and not lines[above].lstrip().startswith("#"):
            return indent > _first_non_space(lines, above)[1]
    return False


def _at_line_start(lines: list[str], at: tuple[int, int]) -> bool:
    return at[0] < len(lines) and bool(lines[at[0]].strip()) and _first_non_space(lines, at[0]) == at


def _after_closing_quote(lines: list[str], at: tuple[int, int]) -> bool:
    before = lines[at[0]][: at[1]].rstrip() if at[0] < len(lines) else ""
    return before.endswith(("'", '"'))
