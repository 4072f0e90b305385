"""From YAML to schedule, the campaigns' half (pure): which campaigns a sync adds, retires, brings
back, pauses or updates. ``campaigns.store.diff`` does the posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol


class _Campaign(Protocol):
    """What a spec and a stored campaign both say of a campaign."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def timezone(self) -> str: ...


class CampaignLike(_Campaign, Protocol):
    """What the schedule needs of a loaded spec (``campaigns.spec.CampaignSpec`` has it)."""

    @property
    def content_hash(self) -> str: ...
    @property
    def paused(self) -> bool: ...
    @property
    def late_window(self) -> timedelta: ...


class StoredCampaign(_Campaign, Protocol):
    """What the diff reads of a stored campaign: a ``Campaign``, or a Core row of the campaigns table."""

    @property
    def late_window_seconds(self) -> int: ...
    @property
    def spec_paused(self) -> bool: ...
    @property
    def removed_at(self) -> datetime | None: ...


class CampaignKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    RETURNED = "returned"  # its file was removed, and is back
    PAUSED = "paused by its spec"
    UNPAUSED = "unpaused by its spec"
    UPDATED = "updated"


@dataclass(frozen=True, slots=True)
class CampaignChange:
    kind: CampaignKind
    slug: str
    detail: str = ""


def diff_campaigns(specs: Sequence[CampaignLike], rows: Sequence[StoredCampaign]) -> list[CampaignChange]:
    """What changes at campaign level: files added, removed or back, ``paused:`` flips, settings."""
    by_slug = {row.slug: row for row in rows}
    changes: list[CampaignChange] = []
    for spec in specs:
        row = by_slug.get(spec.slug)
        if row is None:
            changes.append(CampaignChange(CampaignKind.ADDED, spec.slug, spec.source))
            continue
        if row.removed_at is not None:
            changes.append(CampaignChange(CampaignKind.RETURNED, spec.slug, spec.source))
        if spec.paused != row.spec_paused:
            changes.append(
                CampaignChange(CampaignKind.PAUSED if spec.paused else CampaignKind.UNPAUSED, spec.slug)
            )
        settings = _settings_changed(spec, row)
        if settings:
            changes.append(CampaignChange(CampaignKind.UPDATED, spec.slug, settings))
    loaded = {spec.slug for spec in specs}
    changes += [
        CampaignChange(CampaignKind.REMOVED, row.slug, row.source)
        for row in rows
        if row.slug not in loaded and row.removed_at is None
    ]
    return changes


def _settings_changed(spec: CampaignLike, row: StoredCampaign) -> str:
    pairs = [
        ("name", row.name, spec.name),
        ("timezone", row.timezone, spec.timezone),
        ("late window", timedelta(seconds=row.late_window_seconds), spec.late_window),
        ("file", row.source, spec.source),
    ]
    return "; ".join(f"{what}: {old} -> {new}" for what, old, new in pairs if old != new)
