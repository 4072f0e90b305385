"""The spec reader: what it builds from everyday YAML, and what it refuses, in the project's words."""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
from typing import Any

import pytest

from campaigns.spec import pool, yaml_tree
from tests.support.spec_files import BUNDLED, MINIMAL, load_folder, write_spec


def canonical(value: Any) -> Any:
    """``value`` with its types spelled out, so that True != 1 and NaN == NaN."""
    if isinstance(value, dict):
        return ("map", tuple((key, canonical(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", tuple(canonical(item) for item in value))
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: Hello #SSWWeek\n", {"a": "Hello #SSWWeek"}),
        ("a: Hello   #SSWWeek #more  \n", {"a": "Hello   #SSWWeek #more"}),
        ("a: Hello # a comment\n", {"a": "Hello"}),
        ('a: "Hello" #SSWWeek\n', {"a": "Hello"}),
        ("a: [x, y] #SSWWeek\n", {"a": ["x", "y"]}),
        ("- x #tag\n- y\n", ["x #tag", "y"]),
        ("a: 13:00\nb: 2027-04-05\nc: 190:20:30\n", {"a": "13:00", "b": "2027-04-05", "c": "190:20:30"}),
        ("a: yes\nb: Off\nc: ~\nd:\ne: null\n", {"a": True, "b": False, "c": None, "d": None, "e": None}),
        (  # words that start like true, no or null are text when there are more of them
            "a: Theme of day 1\nb: no way\nc: null value\nd: True\ne: ~ x\n",
            {"a": "Theme of day 1", "b": "no way", "c": "null value", "d": True, "e": "~ x"},
        ),
        (
            "a: 0x1F\nb: 017\nc: 1_000\nd: 1.5\ne: .inf\n",
            {"a": 31, "b": 15, "c": 1000, "d": 1.5, "e": math.inf},
        ),
        ("yes: 1\n1: 2\n~: 3\n", {"True": 1, "1": 2, "null": 3}),
        ("a: |\n  one\n  two\nb: >\n  folded\n  text\n", {"a": "one\ntwo\n", "b": "folded text\n"}),
        ("a: 'it''s'\nb: \"quoted: #no\"\n", {"a": "it's", "b": "quoted: #no"}),
        ("a: b\r\nc: d #tag\r\n", {"a": "b", "c": "d #tag"}),
        ("---\na: 1\n", {"a": 1}),
        ("a: &x 1\nb: *x\n", {"a": 1, "b": 1}),
        ("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", {"base": {"x": 1, "y": 2}, "c": {"x": 1, "y": 3}}),
        ("a: !!str 1\n", {"a": "1"}),
        ('a: "tab\\there"\n', {"a": "tab\there"}),
        ("", None),
        ("just text\n", "just text"),
    ],
)
def test_it_reads_everyday_yaml(text, expected):
    data, duplicates = yaml_tree.load(text)
    assert canonical(data) == canonical(expected) and duplicates == []


def test_it_reads_every_bundled_spec_to_a_mapping():
    for path in sorted(BUNDLED.glob("*.yaml")):
        data, duplicates = yaml_tree.load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and "campaign" in data and duplicates == [], path


def test_it_reports_duplicate_keys_where_the_second_one_is():
    data, duplicates = yaml_tree.load("a: 1\nb:\n  c: 2\n  c: 3\n")
    assert data == {"a": 1, "b": {"c": 2}} and duplicates == [("c", 4, 3)]


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", 1, 4, "the YAML tag"),
        ("a: 1\n---\nb: 2\n", 2, 1, "only one YAML document per file (remove the second '---')"),
        (
            "a: *nowhere\n",
            1,
            4,
            "'*nowhere' refers to nothing (a value starting with '*' must be put in quotes)",
        ),
        ("? [x]\n: 1\n", 1, 3, "a key must be a simple word, not a list or mapping"),
        ("a:\n  <<: 1\n", 2, 7, "'<<' must merge a mapping or a list of mappings"),
        ("a: " + "[" * 40 + "]" * 40 + "\n", 1, 35, "nesting deeper than 32 levels"),
        ("a:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 40)), 33, 65, "nesting deeper"),
    ],
)
def test_it_refuses_what_a_campaign_never_needs(text, line, col, message):
    with pytest.raises(yaml_tree.YamlError) as raised:
        yaml_tree.load(text)
    assert raised.value.message.startswith(message)
    assert (raised.value.line, raised.value.col) == (line, col)


def test_it_finds_where_each_path_is():
    positions = yaml_tree.Positions("a: 1\nlist:\n  - x\n  - k: v\n")
    assert positions.locate(("a",)) == yaml_tree.Located((1, 1), (1, 4))
    assert positions.locate(("list", 1, "k")) == yaml_tree.Located((4, 5), (4, 8))
    assert positions.locate(("list", 0)) == yaml_tree.Located(None, (3, 5))
    assert positions.locate(("list", 7, "missing")) == yaml_tree.Located((2, 1), (3, 3))


def test_it_loads_large_folders_on_every_core_in_file_order(monkeypatch, tmp_path):
    monkeypatch.setattr(pool, "_other_threads_running", lambda: False)
    monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda _: {0, 1}, raising=False)
    assert pool.workers_for(files=3, total_bytes=1) == 2
    items = list(range(20))
    pids = list(pool.map_in_order(_pid_and_item, items, workers=2))
    assert [item for _, item in pids] == items
    here = os.getpid()
    assert [pid == here for pid, _ in pids] == [index % 2 == 0 for index in items]  # every other one here


def test_it_loads_in_this_process_when_threads_run_or_there_is_little_to_load(monkeypatch):
    monkeypatch.setattr(pool, "_other_threads_running", lambda: True)
    assert pool.workers_for(files=100, total_bytes=10**9) == 1
    monkeypatch.setattr(pool, "_other_threads_running", lambda: False)
    assert pool.workers_for(files=100, total_bytes=pool.PARALLEL_MIN_BYTES - 1) == 1
    assert pool.workers_for(files=1, total_bytes=10**9) == 1


def _pid_and_item(item: int) -> tuple[int, int]:
    return os.getpid(), item


def test_a_folder_loaded_on_two_processes_gives_what_one_process_gives(monkeypatch, tmp_path):
    for number in range(5):
        text = MINIMAL.replace("Test Campaign", f"Campaign {number}")
        write_spec(
            tmp_path, text.replace("hashtags:", "hashtag:") if number == 3 else text, f"c{number}.yaml"
        )
    one = load_folder(tmp_path)
    monkeypatch.setattr(pool, "_other_threads_running", lambda: False)
    monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(pool.os, "sched_getaffinity", lambda _: {0, 1}, raising=False)
    calls = []
    map_in_order = pool.map_in_order
    monkeypatch.setattr(pool, "map_in_order", lambda *args: calls.append(args[2]) or map_in_order(*args))
    two = load_folder(tmp_path)
    assert calls == [2]
    assert two.problems == one.problems and len(two.problems) == 1
    assert [(spec.slug, spec.doc, spec.content_hash) for spec in two.campaigns] == [
        (spec.slug, spec.doc, spec.content_hash) for spec in one.campaigns
    ]


def _fail_on_three(item: int) -> int:
    if item == 3:
        raise ValueError("item 3")
    return item


def test_an_error_in_a_loading_process_reaches_the_caller():
    items = list(range(6))
    with pytest.raises(ValueError, match="item 3"):  # item 3 is loaded by the forked process
        list(pool.map_in_order(_fail_on_three, items, workers=2))


def test_the_loading_processes_stop_when_the_caller_stops_reading():
    loaded = pool.map_in_order(_pid_and_item, list(range(50)), workers=2)
    assert next(loaded)[1] == 0
    loaded.close()  # the forked process, blocked on its pipe or not, is stopped and waited for
    assert multiprocessing.active_children() == []


def test_a_loaded_spec_pickles_to_an_equal_spec_with_the_same_keys_set(tmp_path):
    """Worker processes send specs pickled as their data (``CampaignSpec.__reduce__``)."""
    write_spec(tmp_path, MINIMAL)
    (spec,) = load_folder(tmp_path).campaigns
    spec.days  # noqa: B018 - cached: not sent, worked out again
    back = pickle.loads(pickle.dumps(spec))
    assert back == spec and back.days == spec.days
    assert back.doc.model_fields_set == spec.doc.model_fields_set
    assert [day.model_fields_set for day in back.days] == [day.model_fields_set for day in spec.days]
