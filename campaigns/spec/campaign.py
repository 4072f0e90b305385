"""A loaded, valid campaign spec: the typed document plus what the rest of the service needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from campaigns import timing
from campaigns.planned import DEFAULT_ACCOUNT
from campaigns.spec.model import CampaignDoc, DaySpec


@dataclass(frozen=True)
class CampaignSpec:
    doc: CampaignDoc
    slug: str  # the file's stem: stable, unique within the specs folder
    source: str  # the file, as the user named it
    content_hash: str  # sha256 of the file's bytes: "did anything change?" for the running service
    base_dir: Path  # media paths are relative to this (the spec file's folder)
    root_dir: Path  # media may not leave this (the specs folder)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the document's data, validated again when unpickled.

        ``spec.pool`` sends loaded specs from its worker processes: pydantic builds a document from
        its data in two thirds of the time unpickling its models (one per post and day) takes, and
        dumping the data costs half of pickling them. Only the fields set are sent, so the document
        comes back equal, with the same fields set; what is cached is worked out again when needed.
        """
        data = self.doc.model_dump(exclude_unset=True)
        return _unpickle, (data, self.slug, self.source, self.content_hash, self.base_dir, self.root_dir)

    @property
    def name(self) -> str:
        return self.doc.campaign

    @property
    def timezone(self) -> str:
        return self.doc.timezone

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.doc.timezone)

    def account(self, channel: str) -> str:
        """The configured account that publishes this campaign's posts on ``channel``."""
        chosen = getattr(self.doc.accounts, channel, None) if self.doc.accounts else None
        return chosen or DEFAULT_ACCOUNT

    @property
    def contacts(self) -> tuple[str, ...]:
        return tuple(self.doc.contacts)

    @property
    def report_to(self) -> tuple[str, ...]:
        return tuple(self.doc.report_to)

    @property
    def paused(self) -> bool:
        return self.doc.paused

    @cached_property
    def late_window(self) -> timedelta:
        return timing.parse_duration(self.doc.late_window)

    @cached_property
    def days(self) -> list[DaySpec]:
        """The campaign's days; the top-level ``posts:`` shorthand is one day without a theme."""
        if self.doc.days is not None:
            return list(self.doc.days)
        return [DaySpec(posts=list(self.doc.posts or []))]

    @property
    def days_path(self) -> tuple[str, ...]:
        """Where the days are in the YAML document (for pointing at problems)."""
        return ("days",) if self.doc.days is not None else ()

    def first_days(self, start: date, end: date) -> list[date]:
        """Day 1 of every run of the campaign that has at least one day within [start, end]."""
        length = timedelta(days=len(self.days) - 1)
        if self.doc.start is not None:
            first = timing.parse_date(self.doc.start)
            return [first] if first <= end and first + length >= start else []
        assert self.doc.every_year is not None
        rule = timing.parse_rule(self.doc.every_year)
        years = range(max(start.year - 1, 1), min(end.year, 9998) + 1)
        return [d for d in (rule.on(y) for y in years) if d <= end and d + length >= start]


def _unpickle(
    data: dict[str, Any], slug: str, source: str, content_hash: str, base_dir: Path, root_dir: Path
) -> CampaignSpec:
    return CampaignSpec(CampaignDoc.model_validate(data), slug, source, content_hash, base_dir, root_dir)
