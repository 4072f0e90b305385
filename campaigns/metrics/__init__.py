"""Engagement metrics gathered on a schedule: our posts' numbers and others' use of our hashtags.

``collect_metrics`` runs one cycle (the beat's ``collect_metrics`` task, or ``campaigns metrics
collect``); ``names`` is the one table of metric names; ``schedule`` says what is due when.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from campaigns.metrics.collect import collect_metrics
from campaigns.metrics.collection import CollectOptions, Summary
from campaigns.metrics.schedule import Polling

if TYPE_CHECKING:
    from campaigns.settings import Settings

__all__ = ["CollectOptions", "Polling", "Summary", "collect_metrics", "options_from"]


def options_from(settings: Settings) -> CollectOptions:
    """The collector's options as the settings give them."""
    polling = Polling(
        young_every=timedelta(seconds=settings.metrics_young_interval),
        every=timedelta(seconds=settings.metrics_interval),
        active_days=settings.metrics_active_days,
    )
    return CollectOptions(polling=polling, x_daily_reads=settings.metrics_x_daily_reads)
