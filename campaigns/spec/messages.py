"""Turning the model's validation errors into messages a comms person can act on."""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

from campaigns.spec import characters, suggest
from campaigns.spec.model import AccountsSpec, CampaignDoc, DaySpec, PostSpec

YamlPath = tuple[str | int, ...]

_TYPE_WORDS = {
    "string_type": "text",
    "list_type": "a list",
    "bool_type": "true or false",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "int_type": "a whole number",
}


def model_at(loc: YamlPath) -> type[CampaignDoc | DaySpec | PostSpec | AccountsSpec]:
    """Which model a mapping at ``loc`` is (``loc`` is the mapping's own path)."""
    if not loc:
        return CampaignDoc
    if loc == ("accounts",):
        return AccountsSpec
    if len(loc) >= 2 and loc[-2] == "posts":
        return PostSpec
    return DaySpec if loc[0] == "days" and len(loc) == 2 else CampaignDoc


def clean_loc(loc: tuple[str | int, ...]) -> YamlPath:
    """Drop pydantic's union tags ("text"/"post") that sit right after a post's index."""
    cleaned: list[str | int] = []
    for i, part in enumerate(loc):
        if part in ("text", "post") and i >= 2 and isinstance(loc[i - 1], int) and loc[i - 2] == "posts":
            continue
        cleaned.append(part)
    return tuple(cleaned)


def describe(error: ErrorDetails) -> tuple[YamlPath, str, bool]:
    """(path to point at, message, point at the key rather than the value)."""
    loc = clean_loc(error["loc"])
    kind = error["type"]
    name = loc[-1] if loc else "document"
    if kind == "extra_forbidden":
        return loc, _unknown_key(str(name), loc[:-1]), True
    if kind == "missing":
        return loc[:-1], f"missing required key '{name}'", False
    if kind == "value_error":
        return loc, error["msg"].removeprefix("Value error, "), False
    if kind == "literal_error" and "channels" in loc:
        return loc, f"unknown channel {_show(error['input'])}: use twitter or facebook", False
    if kind == "too_short":
        return loc, f"'{_field(loc)}' must not be empty", False
    if kind == "string_pattern_mismatch":
        return loc, _pattern_message(loc, error["input"]), False
    if kind in ("model_type", "dict_type") and len(loc) >= 2 and loc[-2] == "posts":
        return loc, "a post must be text, or keys such as text, twitter, facebook, thread, time, image", False
    if kind in _TYPE_WORDS:
        return loc, f"'{_field(loc)}' should be {_TYPE_WORDS[kind]}, not {_show(error['input'])}", False
    return loc, f"'{_field(loc)}': {error['msg']}", False


def _field(loc: YamlPath) -> str:
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return "document"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unknown_key(key: str, parent: YamlPath) -> str:
    fields = list(model_at(parent).model_fields)
    if parent == ():
        fields = [f for f in fields if f != "model_config"]
    close = suggest.nearest_key(key, fields)
    hint = f" (did you mean '{close}'?)" if close else f" (known keys: {', '.join(fields)})"
    return f"unknown key '{key}'{hint}"


def _pattern_message(loc: YamlPath, value: Any) -> str:
    if "hashtags" in loc:
        if isinstance(value, str) and (invisible := characters.invisible_in_hashtag(value)) is not None:
            return invisible
        return f"hashtag {_show(value)} must be '#' followed by letters, digits or _ (e.g. \"#SSWWeek\")"
    if loc and loc[-1] == "id":
        return f"id {_show(value)} may use only letters, digits, '-', '_' and '.'"
    if len(loc) == 2 and loc[0] == "accounts":
        return f"account name {_show(value)} may use only letters, digits, '-', '_' and '.'"
    return f"{_show(value)} is not in the expected form"
