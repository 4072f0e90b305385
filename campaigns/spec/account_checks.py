"""Checking the accounts a spec names against the configuration of the machine that checks it.

Kept apart from the other checks, which depend on the spec alone: the same spec is valid on a
laptop without credentials and on the server that has them. So an account the configuration here
does not know is a warning, not an error; on the server, its posts are held (one alert) until it
is configured (see ``publishing.policy.account_unusable``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from campaigns.planned import CHANNELS
from campaigns.problems import Problem
from campaigns.spec import yaml_tree
from campaigns.spec.campaign import CampaignSpec


def unconfigured_accounts(
    specs: Sequence[CampaignSpec], configured: Collection[tuple[str, str]]
) -> list[Problem]:
    """A warning for each ``accounts:`` entry naming a (channel, name) not in ``configured``."""
    problems = []
    for spec in specs:
        named = {c: getattr(spec.doc.accounts, c) for c in CHANNELS} if spec.doc.accounts else {}
        missing = {c: name for c, name in named.items() if name is not None and (c, name) not in configured}
        if not missing:
            continue
        positions = _positions(spec.source)
        for channel, name in missing.items():
            line, col = positions.locate(("accounts", channel)).value if positions else (1, 1)
            known = ", ".join(sorted(n for c, n in configured if c == channel)) or "none"
            message = (
                f"no {channel} account named {name!r} is configured here (configured: {known}); "
                "its posts would wait until it is"
            )
            problems.append(Problem(spec.source, line, col, "warning", message))
    return problems


def _positions(source: str) -> yaml_tree.Positions | None:
    try:
        return yaml_tree.Positions(Path(source).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None  # changed since it was loaded: point at its first line
