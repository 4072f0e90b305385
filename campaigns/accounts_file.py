"""The accounts file (``ACCOUNTS_FILE``): more accounts than the environment's default ones, in TOML
or YAML. A mistake in it is one ``path:line:col: message`` line, never a credential's value."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from campaigns.account_config import AccountConfig, parse_accounts


def read_accounts_file(path: Path, *, sandbox_url: str) -> list[AccountConfig]:
    """The accounts ``path`` names; ``ValueError("path:line:col: ...")`` when it cannot be used."""
    try:
        return parse_accounts(_read_table(path), base_dir=path.parent, sandbox_url=sandbox_url)
    except ValueError as e:
        raise ValueError(f"{path}:{_where_in(path, str(e))} {e}") from None


def _where_in(path: Path, message: str) -> str:
    """``line:col:`` of what ``message`` (from ``_read_table`` or ``parse_accounts``) is about: where the
    parser stopped, or the entry it names (``key: ...``) in the file; ``1:1:`` if it cannot tell."""
    stopped = re.search(r"line (\d+), column (\d+)", message)
    if stopped:
        return f"{stopped[1]}:{stopped[2]}:"
    key = message.partition(":")[0].strip()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return "1:1:"
    headers = (f"[{key}]", f'["{key}"]', f"{key}:", f'"{key}":', f"'{key}':")
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith(headers):
            return f"{number}:{len(line) - len(line.lstrip()) + 1}:"
    return "1:1:"


def _read_table(path: Path) -> dict[str, Any]:
    import yaml  # here: only an ACCOUNTS_FILE needs it, and `campaigns status` should not pay for it

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"cannot read: {e.strerror}") from None
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"not valid TOML: {e}".splitlines()[0]) from None  # "... (at line 3, column 7)"
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (at line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise ValueError(
            f"not valid YAML: {getattr(e, 'problem', None) or e}{where}".splitlines()[0]
        ) from None
    if not isinstance(data, dict):
        raise ValueError("expected a table of accounts")
    return data
