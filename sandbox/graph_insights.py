"""``GET /{post-id}/insights``: the post metrics Meta still serves in 2026.

The impressions family was deprecated (June and November 2025) on every API version; asking for
any metric not listed here fails the whole request, as the real API does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.core import Sandbox
from sandbox.engagement import REACTION_TYPES, facebook_metrics
from sandbox.errors import graph_invalid_parameter
from sandbox.model import Post

Metrics = dict[str, Any]


def _reactions(kind: str) -> Callable[[Metrics], object]:
    return lambda m: m["reactions"][kind]


METRICS: dict[str, tuple[str, Callable[[Metrics], object]]] = {
    "post_media_view": ("Media views", lambda m: m["views"]),
    "post_total_media_view_unique": ("Media viewers", lambda m: m["reach"]),
    "post_clicks": ("Post clicks", lambda m: m["clicks"]),
    "post_clicks_by_type": (
        "Post clicks by type",
        lambda m: {"other clicks": m["clicks"]} if m["clicks"] else {},
    ),
    "post_reactions_by_type_total": (
        "Total post reactions by type",
        lambda m: {k: v for k, v in m["reactions"].items() if v},
    ),
    "post_video_views": ("Video views", lambda m: m["video_views"]),
    **{
        f"post_reactions_{kind}_total": (f"Total {kind} reactions", _reactions(kind))
        for kind in REACTION_TYPES
    },
}


def insights(sb: Sandbox, post: Post, metric_param: str) -> dict[str, Any]:
    names = [n.strip() for n in metric_param.split(",") if n.strip()]
    if not names:
        raise graph_invalid_parameter("The parameter metric is required")
    if any(n not in METRICS for n in names):
        raise graph_invalid_parameter("The value must be a valid insights metric")
    metrics = facebook_metrics(sb.seed, post, sb.store.pages[post.account_id].followers, sb.now())
    data = []
    for name in names:
        title, value = METRICS[name]
        data.append(
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": value(metrics)}],
                "title": f"Lifetime {title}",
                "description": f"Lifetime: {title} of your post.",
                "id": f"{post.id}/insights/{name}/lifetime",
            }
        )
    return {"data": data}
