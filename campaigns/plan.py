"""The plan: every post of every campaign within a window of dates, in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from campaigns.planned import PlannedPost
from campaigns.spec import CampaignSpec
from campaigns.spec.expand import expand_occurrence


def plan_posts(campaigns: Sequence[CampaignSpec], start: date, end: date) -> list[PlannedPost]:
    """Every post of every campaign whose local date falls in [start, end], sorted by time."""
    posts = [
        sourced.post
        for spec in campaigns
        for first in spec.first_days(start, end)
        for sourced in expand_occurrence(spec, first, year_in_ids=spec.doc.every_year is not None)
        if start <= sourced.post.date <= end
    ]
    posts.sort(key=lambda p: (p.scheduled_at, p.campaign, p.post_id))
    return posts
