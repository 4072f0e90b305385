"""Hostile input is refused quickly with one clear problem, and the loader never crashes."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.problems import SpecError
from campaigns.spec import load_spec_text
from tests.support.spec_files import BUNDLED, MINIMAL, TODAY, only, problems_of

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def test_it_refuses_an_alias_bomb(tmp_path):
    problem = only(problems_of(tmp_path, BILLION_LAUGHS))
    assert (problem.line, problem.col) == (6, 16)  # the alias that crosses the limit
    assert problem.message == (
        "the document expands to more than 250,000 values (too many aliases, or far too large for a campaign)"
    )


def test_it_refuses_deep_nesting(tmp_path):
    # libyaml stops at its own limit (its words, column 1010): the project reports its own, where crossed.
    problem = only(problems_of(tmp_path, "campaign: " + "[" * 5000 + "]" * 5000))
    assert (problem.line, problem.col, problem.message) == (1, 42, "nesting deeper than 32 levels")


def test_it_refuses_deep_nesting_in_blocks_too(tmp_path):
    text = "campaign:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 200))
    problem = only(problems_of(tmp_path, text))
    assert (problem.line, problem.col, problem.message) == (33, 65, "nesting deeper than 32 levels")


def test_it_refuses_a_huge_file(tmp_path):
    problem = only(problems_of(tmp_path, MINIMAL + "# " + "x" * 3_000_000 + "\n"))
    assert "a campaign spec may be at most 2 MB" in problem.message


def test_it_refuses_binary_garbage(tmp_path):
    (tmp_path / "spec.yaml").write_bytes(bytes(range(256)) * 10)
    assert "binary file" in only(problems_of_existing(tmp_path)).message


def test_it_refuses_text_that_is_not_utf8(tmp_path):
    (tmp_path / "spec.yaml").write_bytes(MINIMAL.encode() + b"\nextra: caf\xe9\n")
    problem = only(problems_of_existing(tmp_path))
    assert "not UTF-8" in problem.message and problem.line == 13


def test_it_refuses_python_tags(tmp_path):
    problem = only(problems_of(tmp_path, MINIMAL + "evil: !!python/object/apply:os.system ['true']\n"))
    assert "the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed" in problem.message
    assert problem.line == 12


def problems_of_existing(folder: Path):
    from tests.support.spec_files import load_folder

    return load_folder(folder).problems


# More examples locally with FUZZ_EXAMPLES=5000; CI keeps the default.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(BUNDLED.glob("*.yaml"))] + [MINIMAL]
YAMLISH = st.sampled_from([*":-[]{}&*!|>'\"#%@`,?\n\t ", "  ", "\n  - ", ": ", "{link}", "\x00", "é", "🧵"])


@st.composite
def mutated_spec(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start, min(len(text), start + 40)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if action == "delete":
            text = text[:start] + text[end:]
        elif action == "insert":
            text = text[:start] + "".join(draw(st.lists(YAMLISH, max_size=5))) + text[start:]
        elif action == "replace":
            text = text[:start] + draw(st.text(max_size=8)) + text[end:]
        else:
            text = text[:end] + text[start:end] + text[end:]
    return text


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_spec())
def test_it_never_raises_anything_but_a_spec_error(text):
    try:
        spec = load_spec_text(text, "fuzz.yaml", root=BUNDLED, today=TODAY)
    except SpecError as exc:
        assert exc.problems and all(p.line >= 1 and p.col >= 1 for p in exc.problems)
    else:
        assert spec.name
