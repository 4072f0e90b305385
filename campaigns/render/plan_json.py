"""The plan as JSON: one object per post, for scripts and CI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from campaigns.planned import PlannedPost


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def post_dict(post: PlannedPost) -> dict[str, Any]:
    return {
        "campaign": post.campaign,
        "campaign_slug": post.campaign_slug,
        "post_id": post.post_id,
        "day": post.day,
        "date": post.date.isoformat(),
        "channel": post.channel,
        "account": post.account,
        "scheduled_at": utc_iso(post.scheduled_at),
        "local_time": post.local_time.isoformat(),
        "timezone": post.timezone,
        "theme": post.theme,
        "text": post.text,
        "thread": list(post.thread),
        "media": [{"path": str(m.path), "alt": m.alt} for m in post.media],
        "link": post.link,
        "source": post.source,
    }


def render_json(posts: Sequence[PlannedPost]) -> str:
    return json.dumps([post_dict(p) for p in posts], indent=2, ensure_ascii=False)
