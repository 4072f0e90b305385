"""What a YAML scalar means to the spec reader: YAML 1.1 types, but text where YAML 1.1 surprises people.

The spec reader (:mod:`campaigns.spec.yaml_events`) types every scalar here: what ``yes``, ``0x1F``,
``13:00`` or ``2027-04-05`` is.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.resolver import Resolver

STR = "tag:yaml.org,2002:str"
_resolver = Resolver()
# The first characters that any implicit resolver looks at: a plain scalar starting with any other
# character is text (what Resolver.resolve answers, without its regex loop).
_RESOLVED_FIRST_CHARS = frozenset(key for key in _resolver.yaml_implicit_resolvers if key)
# The first characters that only the bool and null resolvers look at ('t' for true, 'n' for null...):
# they match one word, so a scalar with a space that starts with one ("Theme of the day") is text.
_ONE_WORD_TAGS = frozenset({"tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"})
_ONE_WORD_FIRST_CHARS = frozenset(
    key
    for key, resolvers in _resolver.yaml_implicit_resolvers.items()
    if key and all(tag in _ONE_WORD_TAGS for tag, _ in resolvers)
)
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_FLOAT_SPECIAL = {".inf": float("inf"), "-.inf": float("-inf"), "+.inf": float("inf"), ".nan": float("nan")}


def implicit_tag(value: str) -> str:
    """The tag YAML 1.1 gives a plain (unquoted, untagged) scalar."""
    if value and (
        value[0] not in _RESOLVED_FIRST_CHARS or (value[0] in _ONE_WORD_FIRST_CHARS and " " in value)
    ):
        return STR
    tag: str = _resolver.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


def plain(value: str) -> Any:
    """The value of a plain scalar."""
    return typed(implicit_tag(value), value)


def typed(tag: str, value: str) -> Any:
    """The value of a scalar with a (checked, safe) tag."""
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return _BOOLS.get(value.lower(), value)
    if tag == "tag:yaml.org,2002:int":
        return _to_int(value)
    if tag == "tag:yaml.org,2002:float":
        return _to_float(value)
    return value  # str, timestamp (kept as text), merge key


def _to_int(value: str) -> int | str:
    if ":" in value:  # YAML 1.1 base-60 ("13:00" == 780): never what a person meant
        return value
    digits = value.replace("_", "")
    try:
        if digits.lower().startswith(("0x", "-0x", "+0x")):
            return int(digits, 16)
        if digits.lower().startswith(("0b", "-0b", "+0b")):
            return int(digits, 2)
        if len(digits.lstrip("+-")) > 1 and digits.lstrip("+-").startswith("0"):
            return int(digits, 8)
        return int(digits)
    except ValueError:
        return value


def _to_float(value: str) -> float | str:
    if ":" in value:
        return value
    special = _FLOAT_SPECIAL.get(value.lower())
    if special is not None:
        return special
    try:
        return float(value.replace("_", ""))
    except ValueError:
        return value
