"""The rapidyaml fast path reads every document exactly as the PyYAML reference reader, or hands over.

The property: whenever ``yaml_fast.read`` returns data, the reference reader accepts the text too,
finds no duplicate key, and builds the same data, types included (True is not 1, "13:00" is not
780). Documents come from mutated real specs and from a generator of YAML in every style.

More examples locally with READER_EXAMPLES=20000; CI keeps the default.
"""

from __future__ import annotations

import math
import os
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.spec import yaml_fast, yaml_tree
from tests.support.spec_files import BUNDLED, MINIMAL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_validate import write_corpus

EXAMPLES = int(os.environ.get("READER_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def fast(text: str) -> Any:
    # read_alone: other tests may leave threads running (servers), and read() would then hand over.
    return yaml_fast.read_alone(text, max_depth=yaml_tree.MAX_DEPTH, max_nodes=yaml_tree.MAX_EXPANDED_NODES)


def canonical(value: Any) -> Any:
    """``value`` with its types spelled out, so that True != 1 and NaN == NaN."""
    if isinstance(value, dict):
        return ("map", tuple((key, canonical(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", tuple(canonical(item) for item in value))
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def assert_read_alike(text: str) -> bool:
    """Fails if the fast path reads ``text`` differently from the reference; True if it read it."""
    data = fast(text)
    if data is None:
        return False
    reference, duplicates = yaml_tree.load_reference(text)  # must not raise: the fast path accepted it
    assert duplicates == []
    assert canonical(data) == canonical(reference)
    return True


# ---- documents the fast path must read itself, and read right


@pytest.fixture(scope="module")
def corpus_text(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 1, 30, 3)
    return next(folder.iterdir()).read_text(encoding="utf-8")


def test_it_reads_every_bundled_spec_and_a_generated_campaign_itself(corpus_text):
    texts = [p.read_text(encoding="utf-8") for p in sorted(BUNDLED.glob("*.yaml"))] + [corpus_text]
    assert all(assert_read_alike(text) for text in texts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: Hello #SSWWeek\n", {"a": "Hello #SSWWeek"}),
        ("a: Hello   #SSWWeek #more  \n", {"a": "Hello   #SSWWeek #more"}),
        ("a: Hello # a comment\n", {"a": "Hello"}),
        ('a: "Hello" #SSWWeek\n', {"a": "Hello"}),
        ("a: [x, y] #SSWWeek\n", {"a": ["x", "y"]}),
        ("- x #tag\n- y\n", None),  # not a mapping: the reference decides
        ("a: 13:00\nb: 2027-04-05\nc: 190:20:30\n", {"a": "13:00", "b": "2027-04-05", "c": "190:20:30"}),
        ("a: yes\nb: Off\nc: ~\nd:\ne: null\n", {"a": True, "b": False, "c": None, "d": None, "e": None}),
        (
            "a: 0x1F\nb: 017\nc: 1_000\nd: 1.5\ne: .inf\n",
            {"a": 31, "b": 15, "c": 1000, "d": 1.5, "e": math.inf},
        ),
        ("yes: 1\n1: 2\n~: 3\n", {"True": 1, "1": 2, "null": 3}),
        ("a: |\n  one\n  two\nb: >\n  folded\n  text\n", {"a": "one\ntwo\n", "b": "folded text\n"}),
        ("a: 'it''s'\nb: \"quoted: #no\"\n", {"a": "it's", "b": "quoted: #no"}),
        ("a: b\r\nc: d #tag\r\n", {"a": "b", "c": "d #tag"}),
        ("---\na: 1\n", {"a": 1}),
    ],
)
def test_it_reads_the_everyday_subset_itself(text, expected):
    data = fast(text)
    assert (data is None) == (expected is None)
    if expected is not None:
        assert canonical(data) == canonical(expected)
        assert assert_read_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!str 1\n",  # tags
        "a: !!python/object/apply:os.system ['true']\n",
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "base: &b {x: 1}\nc:\n  <<: *b\n",  # merge keys
        "a: 1\na: 2\n",  # duplicate keys: the reference reports where
        "a: 1\n---\nb: 2\n",  # two documents
        "%YAML 1.1\n---\na: 1\n",  # directives
        'a: "tab\\there"\n',  # backslash escapes
        "a: b\rc: d\n",  # a lone CR
        "a: x\u2028y\n",  # a line separator
        "a: \x07\n",  # a control character PyYAML refuses
        "a: [unclosed\n",  # a syntax error
        "a: " + "[" * 40 + "]" * 40 + "\n",  # deeper than the limit
        "a: plain text\n  over two lines #tag\n",  # a folded plain scalar then a hashtag
        "",
        "just text\n",
    ],
)
def test_it_hands_over_what_only_the_reference_may_decide(text):
    assert fast(text) is None


# Where the two parsers were found to differ (by the properties below, or by hand): the fast path
# must hand these over or read them alike.
DIFFERED = [
    "k" * 1100 + ": v\n",  # PyYAML: a key of more than 1,024 characters
    '"' + "k" * 1100 + '": v\n',
    "...\na: 1\n",  # a document end marker first
    "a: 1\n...\nb: 2\n",
    "channels: [twitter::, facebook]\n",  # ":" in a plain scalar in [...]
    "a: {b:c: d}\n",
    "a: ]x\n",  # a plain scalar starting with an indicator
    "a: @at\n",
    "- \t#x\n",  # a tab
    "a: >\n  no line break at the end",  # a block scalar ending the text
    "a: |+\n  kept",
]


@pytest.mark.parametrize("text", DIFFERED)
def test_it_hands_over_or_agrees_where_the_parsers_differed(text):
    assert_read_alike(text)


def test_it_keeps_rapidyaml_syntax_errors_off_the_terminal(capfd):
    assert fast("a: [unclosed\n") is None
    assert capfd.readouterr().err == ""


def test_it_leaves_documents_to_the_reference_while_other_threads_run():
    import threading

    limits = {"max_depth": yaml_tree.MAX_DEPTH, "max_nodes": yaml_tree.MAX_EXPANDED_NODES}
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert yaml_fast.read("a: 1\n", **limits) is None
        assert yaml_fast.read_alone("a: 1\n", **limits) == {"a": 1}
    finally:
        release.set()
        thread.join()


def test_it_loads_large_documents_through_the_fast_path_with_the_same_result(corpus_text, monkeypatch):
    assert len(corpus_text) >= yaml_tree.FAST_PATH_MIN_CHARS
    expected = yaml_tree.load_reference(corpus_text)
    calls = []
    read = yaml_fast.read
    monkeypatch.setattr(yaml_fast, "read", lambda text, **limits: calls.append(text) or read(text, **limits))
    assert yaml_tree.load(corpus_text) == expected and calls == [corpus_text]


# ---- the property, over mutated specs and generated YAML


SEEDS = [p.read_text(encoding="utf-8") for p in sorted(BUNDLED.glob("*.yaml"))] + [MINIMAL]
PIECES = [*":-[]{}&*!|>'\"#%@`,?\n\t ", "  ", "\n  - ", ": ", " #tag", "{link}", "é", "🧵", "\r\n", "---\n"]


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start, min(len(text), start + 30)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if action == "delete":
            text = text[:start] + text[end:]
        elif action == "insert":
            text = text[:start] + "".join(draw(st.lists(st.sampled_from(PIECES), max_size=4))) + text[start:]
        elif action == "replace":
            text = text[:start] + draw(st.text(max_size=6)) + text[end:]
        else:
            text = text[:end] + text[start:end] + text[end:]
        if not text:
            break
    return text


@SETTINGS
@given(mutated_specs())
def test_it_reads_mutated_specs_as_the_reference_does(text):
    assert_read_alike(text)


WORDS = [
    *["yes", "No", "on", "OFF", "true", "False", "y", "~", "null", "Null", "", "0", "012", "0o7", "0x1F"],
    *["0b101", "1_000", "-7", "+3", "1.5", "1e3", "1.0e+3", "6.", ".5", ".inf", "-.Inf", ".NaN", "13:00"],
    *["9:30", "190:20:30", "2027-04-05", "2027-4-5", "2001-12-14t21:59:43.10-05:00", "<<", "=", "!", "&"],
    *[
        "text",
        "time",
        "hello world",
        "Hello #SSWWeek",
        "a: b",
        "a:b",
        "a -b",
        "café",
        "社会福祉",
        "🎉",
        "x #y",
    ],
    *["- item", "? q", ":", "-", ",", "[x]", "{y}", "'", '"', "|", ">", "@at", "`", "%", "a\tb", "it's"],
    *["https://example.org/a?b=1#c", "{link}", "trailing ", " leading", "two  spaces", "#start"],
]
# Mostly printable text: arbitrary text (control characters, backslashes) makes the fast path give up.
TEXT = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\\\ufeff\u2028\u2029")
KEYS = ["text", "time", "a", "b", "key with spaces", "yes", "1", "2027-04-05", "13:00", "~", "<<", "é"]


@st.composite
def scalars(draw: st.DrawFn, indent: int) -> str:
    word = draw(st.sampled_from(WORDS) | st.text(TEXT, max_size=8) | st.text(max_size=4))
    style = draw(st.sampled_from(["plain", "plain", "single", "double", "literal", "folded", "two-lines"]))
    pad = " " * (indent + 2)
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    if style == "double":
        return '"' + word.replace('"', "'") + '"'
    if style in ("literal", "folded"):
        lines = [word, draw(st.sampled_from(WORDS)), ""]
        header = ("|" if style == "literal" else ">") + draw(st.sampled_from(["", "-", "+", "2"]))
        return header + "".join("\n" + pad + line for line in lines)
    if style == "two-lines":
        return word + "\n" + pad + draw(st.sampled_from(WORDS))
    return word + draw(st.sampled_from(["", "", " #SSWWeek", "  #tag two", " # comment", "\t#x"]))


@st.composite
def nodes(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> str:
    """A value at ``indent``, rendered as the text that follows its "key:" or "- "."""
    kind = draw(st.sampled_from(["scalar", "scalar", "map", "list", "flow"] if depth < 4 else ["scalar"]))
    if kind == "scalar":
        return " " + draw(scalars(indent))
    if kind == "flow":
        items = draw(st.lists(st.sampled_from(WORDS[:40]) | st.sampled_from(['"q"', "'s'"]), max_size=4))
        if draw(st.booleans()):
            return " {" + ", ".join(f"k{i}: {item}" for i, item in enumerate(items)) + "}"
        return " [" + ", ".join(items) + "]"
    step = draw(st.sampled_from([2, 2, 4, 1]))
    pad = " " * (indent + step)
    lines = []
    for key in draw(
        st.lists(
            st.sampled_from(KEYS) | st.text("abcxyz_- ", min_size=1, max_size=6),
            min_size=1,
            max_size=4,
            unique=True,
        )
    ):
        value = draw(nodes(indent + step, depth + 1))
        lines.append(f"{pad}-{value}" if kind == "list" else f"{pad}{key}:{value}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "# a comment", pad + "# #hashtag comment", "   "])))
    return "\n" + "\n".join(lines)


@st.composite
def documents(draw: st.DrawFn) -> str:
    keys = draw(
        st.lists(st.sampled_from(KEYS) | st.text("abcdefgh_", min_size=1, max_size=8), min_size=1, max_size=6)
    )
    body = "".join(f"{key}:{draw(nodes(0, 1))}\n" for key in keys)
    start = draw(st.sampled_from(["", "", "---\n", "# comment\n", "--- # c\n"]))
    end = draw(st.sampled_from(["", "", "...\n", "\n\n", "# end #tag\n"]))
    text = start + body + end
    return text.replace("\n", "\r\n") if draw(st.integers(0, 9)) == 0 else text


@SETTINGS
@given(documents())
def test_it_reads_generated_yaml_as_the_reference_does(text):
    assert_read_alike(text)


POST_WORDS = [
    "Social",
    "workers",
    "#SSWWeek",
    "{link}",
    "café",
    "🎉",
    "社会福祉",
    "a:b",
    "it's",
    "50%",
    "x-y",
    "(c)",
]


@st.composite
def styled_texts(draw: st.DrawFn, indent: int) -> str:
    """A post's text as comms staff write it: plain (maybe with hashtags after it), quoted, or a block."""
    words = draw(st.lists(st.sampled_from(POST_WORDS), min_size=1, max_size=8))
    text = " ".join(words)
    style = draw(st.sampled_from(["plain", "plain", "double", "single", "folded", "literal"]))
    pad = " " * (indent + 2)
    if style == "double":
        return '"' + text.replace('"', "") + '"'
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style in ("folded", "literal"):
        return (
            (">" if style == "folded" else "|") + "\n" + pad + text + "\n" + pad + " ".join(reversed(words))
        )
    safe = "Hello " + text.replace(": ", " ").replace(" #", " ").rstrip(":")
    return safe + draw(st.sampled_from(["", " #SSWWeek", "  #SSWWeek #more", " # a comment"]))


@st.composite
def spec_like(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from([2, 4]))
    pad = " " * indent
    lines = ["campaign: Test", "timezone: Europe/London", "start: 2027-04-05", 'time: "09:00"']
    lines.append(draw(st.sampled_from(["channels: [twitter, facebook]", "channels:\n" + pad + "- twitter"])))
    lines.append("days:")
    for _ in range(draw(st.integers(1, 4))):
        lines.append(
            f"{pad}- theme: " + draw(st.sampled_from(["Day #SSWWeek", "'Quoted'", "Plain theme", "Day {d}"]))
        )
        lines.append(f"{pad}  posts:")
        for _ in range(draw(st.integers(1, 3))):
            item = pad + "    - "
            if draw(st.booleans()):
                lines.append(item + draw(styled_texts(len(item))))
            else:
                lines.append(item + "text: " + draw(styled_texts(len(item))))
                lines.append(pad + "      time: " + draw(st.sampled_from(['"13:00"', "13:00", "'9:30'"])))
    return "\n".join(lines) + "\n"


@SETTINGS
@given(spec_like())
def test_it_reads_spec_like_yaml_as_the_reference_does(text):
    assert_read_alike(text)


def test_it_reads_most_generated_documents_itself():
    """The property above would pass if the fast path gave up on everything: it must not."""
    rng = random.Random(7)
    texts = [_sample(rng) for _ in range(300)]
    read = sum(assert_read_alike(text) for text in texts)
    assert read > 150, read


def _sample(rng: random.Random) -> str:
    """A document built like the generator's, from a seeded random source (no hypothesis needed)."""
    lines = []
    for index in range(rng.randint(1, 6)):
        value = rng.choice(WORDS[:60])
        style = rng.choice(["plain", "single", "double", "list", "map"])
        if style == "single":
            value = "'" + value.replace("'", "''") + "'"
        elif style == "double":
            value = '"' + value.replace('"', "'") + '"'
        elif style == "list":
            value = "\n" + "\n".join(f"  - {rng.choice(WORDS[40:60])}" for _ in range(3))
        elif style == "map":
            value = "\n" + "\n".join(f"  k{i}: {rng.choice(WORDS[:20])}" for i in range(3))
        lines.append(f"key{index}: {value}".rstrip())
    return "\n".join(lines) + "\n"
