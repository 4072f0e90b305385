"""Each campaign's hashtags, from its spec: the database keeps posts, not the spec's hashtags."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from campaigns.spec import load_specs


def campaign_hashtags(specs_dir: Path, *, today: date) -> dict[str, list[str]]:
    """slug -> hashtags ("#SSWWeek") of every valid spec in the folder (a spec with errors is
    left out until it is fixed: its posts are still read, its hashtag hours wait)."""
    if not specs_dir.is_dir():
        return {}
    loaded = load_specs([specs_dir], today=today)
    return {spec.slug: list(spec.doc.hashtags) for spec in loaded.campaigns}
