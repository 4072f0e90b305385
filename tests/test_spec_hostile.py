"""Hostile input is refused with one clear problem, and the loader never crashes.

The corpus of hostile specs (alias bombs, 50 MB, binary, tags, ...) is in tests/test_spec_hostile_corpus.py.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.problems import SpecError
from campaigns.spec import load_spec_text
from tests.support.spec_files import BUNDLED, MINIMAL, TODAY, only, problems_of


def test_it_refuses_deep_nesting_in_blocks_too(tmp_path):
    text = "campaign:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 200))
    problem = only(problems_of(tmp_path, text))
    assert (problem.line, problem.col, problem.message) == (33, 65, "nesting deeper than 32 levels")


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
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "number"]))
        if action == "delete":
            text = text[:start] + text[end:]
        elif action == "insert":
            text = text[:start] + "".join(draw(st.lists(YAMLISH, max_size=5))) + text[start:]
        elif action == "replace":
            text = text[:start] + draw(st.text(max_size=8)) + text[end:]
        elif action == "number":  # dates, times and counts far from the seeds' (years ahead, 24:61)
            digits = re.search(r"\d+", text[start:])
            if digits:
                number = str(draw(st.integers(0, 99_999)))
                text = text[: start + digits.start()] + number + text[start + digits.end() :]
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
