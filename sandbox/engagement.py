"""Deterministic engagement: every post's metrics grow on a saturating curve with its age.

Each post draws its own reach, rates and pace from a hash of (seed, post id), so two sandboxes
with the same seed report the same numbers at the same sandbox time, and every metric only ever
grows. Nothing is stored: metrics are a pure function of (seed, post, account size, now).
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from statistics import NormalDist

from sandbox.model import Post

_NORMAL = NormalDist()
REACTION_TYPES = ("like", "love", "care", "haha", "wow", "sorry", "anger")
_REACTION_SHARE = (0.70, 0.14, 0.05, 0.03, 0.04, 0.025, 0.015)


def unit(seed: int, key: str, salt: str) -> float:
    """A uniform number in [0, 1) from a hash: the sandbox's only source of randomness."""
    digest = hashlib.blake2b(f"{seed}:{key}:{salt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _lognormal(seed: int, key: str, salt: str, sigma: float) -> float:
    z = _NORMAL.inv_cdf(min(max(unit(seed, key, salt), 1e-9), 1 - 1e-9))
    return math.exp(sigma * z)


def _progress(age_hours: float, tau_hours: float) -> float:
    """0 at publication, ~63 % after tau, approaching 1: most engagement comes in the first day."""
    return 0.0 if age_hours <= 0 else 1.0 - math.exp(-age_hours / tau_hours)


class _Curve:
    def __init__(self, seed: int, post: Post, now: datetime) -> None:
        self.seed, self.key = seed, post.id
        self.age_hours = (now - post.created_at).total_seconds() / 3600
        self.tau = 2.0 + 10.0 * unit(seed, post.id, "tau")

    def grow(self, final: float, salt: str) -> int:
        # Each metric has its own pace around the post's: likes lag views a little, and so on.
        tau = self.tau * (0.8 + 0.6 * unit(self.seed, self.key, "tau-" + salt))
        return int(final * _progress(self.age_hours, tau))

    def rate(self, low: float, high: float, salt: str) -> float:
        return low + (high - low) * unit(self.seed, self.key, salt)


def x_metrics(seed: int, post: Post, followers: int, now: datetime) -> dict[str, int]:
    """X's six ``public_metrics`` for ``post`` at ``now``."""
    curve = _Curve(seed, post, now)
    impressions = followers * 0.6 * _lognormal(seed, post.id, "reach", 0.8)
    likes = impressions * curve.rate(0.005, 0.04, "like-rate")
    reposts = likes * curve.rate(0.08, 0.3, "repost-rate")
    return {
        "retweet_count": curve.grow(reposts, "repost"),
        "reply_count": curve.grow(likes * curve.rate(0.03, 0.15, "reply-rate"), "reply"),
        "like_count": curve.grow(likes, "like"),
        "quote_count": curve.grow(reposts * curve.rate(0.05, 0.3, "quote-rate"), "quote"),
        "bookmark_count": curve.grow(likes * curve.rate(0.03, 0.2, "bookmark-rate"), "bookmark"),
        "impression_count": curve.grow(impressions, "impression"),
    }


def facebook_metrics(seed: int, post: Post, followers: int, now: datetime) -> dict[str, object]:
    """A Page post's views, reach, clicks, comments, shares and reactions by type at ``now``."""
    curve = _Curve(seed, post, now)
    views = followers * 0.5 * _lognormal(seed, post.id, "reach", 0.7)
    reactions_final = views * curve.rate(0.01, 0.06, "reaction-rate")
    by_type = {}
    for kind, share in zip(REACTION_TYPES, _REACTION_SHARE, strict=True):
        weight = share * (0.5 + unit(seed, post.id, "mix-" + kind))
        by_type[kind] = curve.grow(reactions_final * weight, "reaction")
    return {
        "views": curve.grow(views, "view"),
        "reach": curve.grow(views * curve.rate(0.55, 0.85, "reach-rate"), "view"),
        "clicks": curve.grow(views * curve.rate(0.005, 0.04, "click-rate"), "click"),
        "comments": curve.grow(reactions_final * curve.rate(0.05, 0.25, "comment-rate"), "comment"),
        "shares": curve.grow(reactions_final * curve.rate(0.0, 0.15, "share-rate"), "share"),
        "reactions": by_type,
        "reactions_total": sum(by_type.values()),
        "video_views": 0,
    }
