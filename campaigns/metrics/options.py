"""The collector's options as the settings give them."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from campaigns.metrics.collection import CollectOptions
from campaigns.metrics.schedule import Polling

if TYPE_CHECKING:
    from campaigns.settings import Settings


def options_from(settings: Settings) -> CollectOptions:
    """The collector's options as the settings give them."""
    polling = Polling(
        young_every=timedelta(seconds=settings.metrics_young_interval),
        every=timedelta(seconds=settings.metrics_interval),
        active_days=settings.metrics_active_days,
    )
    return CollectOptions(polling=polling, x_daily_reads=settings.metrics_x_daily_reads)
