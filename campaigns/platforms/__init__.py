"""The only code that talks to X and Facebook: one adapter per platform behind ``Platform``.

``get_platform(channel, account)`` builds an adapter from the settings. tweepy and facebook-sdk are
imported only by ``twitter.py`` and ``facebook.py``, and only when an adapter is first built, so
that commands which never publish start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaigns.account_config import AccountConfig
from campaigns.platforms.base import (
    AccountStatus,
    HashtagPost,
    MediaFile,
    Platform,
    PostMetrics,
    RateLimitStatus,
    RemotePost,
)
from campaigns.platforms.errors import (
    AlreadyPublished,
    CredentialsRejected,
    OutcomeUnknown,
    PlatformError,
    QuotaExhausted,
    RateLimited,
    RejectedPost,
    TransientError,
)

if TYPE_CHECKING:
    from campaigns.settings import Settings

__all__ = [
    "AccountStatus",
    "AlreadyPublished",
    "CredentialsRejected",
    "HashtagPost",
    "MediaFile",
    "OutcomeUnknown",
    "Platform",
    "PlatformError",
    "PostMetrics",
    "QuotaExhausted",
    "RateLimitStatus",
    "RateLimited",
    "RejectedPost",
    "RemotePost",
    "TransientError",
    "get_platform",
    "platform_for",
]


def get_platform(channel: str, account: str = "default", settings: Settings | None = None) -> Platform:
    """The adapter for ``account`` on ``channel`` ("twitter" | "facebook") from the settings.

    Raises ``campaigns.settings.SettingsError`` for an unknown channel or account.
    """
    from campaigns.settings import SettingsError, get_settings

    settings = settings or get_settings()
    if channel not in ("twitter", "facebook"):
        raise SettingsError(f"unknown channel {channel!r} (expected twitter or facebook)")
    config = settings.account(channel, account)  # type: ignore[arg-type]  # checked just above
    return platform_for(config, timeout=settings.http_timeout, graph_version=settings.graph_api_version)


def platform_for(config: AccountConfig, *, timeout: float = 10.0, graph_version: str = "v23.0") -> Platform:
    """The adapter for an account built in code (e.g. the benchmarks' extra sandbox accounts)."""
    if config.platform == "twitter":
        from campaigns.platforms.twitter import TwitterPlatform

        return TwitterPlatform(config, timeout=timeout)
    from campaigns.platforms.facebook import FacebookPlatform

    return FacebookPlatform(config, timeout=timeout, graph_version=graph_version)
