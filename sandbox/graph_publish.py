"""Publishing to a Page: ``POST /{page-id}/feed`` and ``POST /{page-id}/photos``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from sandbox.core import Sandbox
from sandbox.errors import graph_duplicate, graph_error, graph_invalid_parameter
from sandbox.mediatypes import IMAGE_TYPES, sniff
from sandbox.model import FbPage, Media

MAX_MESSAGE = 63_206
SCHEDULE_MIN, SCHEDULE_MAX = timedelta(minutes=10), timedelta(days=75)


def _text(form: dict[str, Any], *names: str) -> str:
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            return value
    return ""


def _published(form: dict[str, Any]) -> bool:
    return _text(form, "published").lower() not in ("false", "0")


def _schedule(sb: Sandbox, form: dict[str, Any], published: bool) -> datetime | None:
    raw = _text(form, "scheduled_publish_time")
    if not raw:
        return None
    if published:
        raise graph_invalid_parameter("You cannot specify a scheduled publish time on a published post")
    try:
        when = datetime.fromtimestamp(int(raw), UTC) if raw.isdigit() else datetime.fromisoformat(raw)
    except ValueError:
        raise graph_invalid_parameter("The specified scheduled publish time is invalid.") from None
    if when.tzinfo is None or not SCHEDULE_MIN <= when - sb.now() <= SCHEDULE_MAX:
        raise graph_invalid_parameter("The specified scheduled publish time is invalid.")
    return when


def _attached_media(sb: Sandbox, page: FbPage, form: dict[str, Any]) -> tuple[str, ...]:
    """``attached_media[i]={"media_fbid": id}``: photos uploaded earlier with ``published=false``."""
    ids = []
    for name in sorted(k for k in form if k.startswith("attached_media[")):
        try:
            media_id = str(json.loads(str(form[name]))["media_fbid"])
        except (ValueError, KeyError, TypeError):
            raise graph_invalid_parameter(f"Invalid parameter {name}") from None
        media = sb.store.media.get(media_id)
        if media is None or media.owner_id != page.id:
            raise graph_invalid_parameter(f"Invalid media_fbid {media_id}")
        ids.append(media_id)
    return tuple(ids)


def create_post(sb: Sandbox, page: FbPage, form: dict[str, Any]) -> dict[str, str]:
    message, link = _text(form, "message"), _text(form, "link") or None
    media_ids = _attached_media(sb, page, form)
    if not message.strip() and not link and not media_ids:
        raise graph_invalid_parameter("Missing message or attachment")
    if len(message) > MAX_MESSAGE:
        raise graph_invalid_parameter(f"The message may not be longer than {MAX_MESSAGE} characters")
    published = _published(form)
    scheduled = _schedule(sb, form, published)
    now = sb.now()
    if sb.store.is_duplicate(page.id, message, link, now):
        raise graph_duplicate()
    post = sb.store.new_post(
        "facebook",
        page.id,
        message,
        now,
        link=link,
        media_ids=media_ids,
        published=published,
        scheduled_at=scheduled,
    )
    return {"id": post.id}


def create_photo(sb: Sandbox, page: FbPage, form: dict[str, Any]) -> dict[str, str]:
    source, url = form.get("source"), _text(form, "url") or None
    data = source.file.read() if isinstance(source, web.FileField) else b""
    if not data and not url:
        raise graph_error("(#324) Requires upload file", 324)
    kind = "image/jpeg"
    if data:
        kind = sniff(data) or ""
        if kind not in IMAGE_TYPES:
            raise graph_error("(#324) Missing or invalid image file", 324)
        if len(data) > sb.options.fb_photo_max_bytes:
            raise graph_error(f"(#324) The photo is larger than {sb.options.fb_photo_max_bytes} bytes", 324)
    caption = _text(form, "caption", "message")
    published = _published(form)
    now = sb.now()
    if published and caption and sb.store.is_duplicate(page.id, caption, None, now):
        raise graph_duplicate()
    photo_id = sb.store.ids.next_graph()
    alt = _text(form, "alt_text_custom") or None
    media = Media(
        photo_id,
        "facebook",
        page.id,
        kind,
        "photo",
        now,
        total_bytes=len(data),
        data=data,
        alt_text=alt,
        source_url=url,
    )
    sb.store.new_media(media)
    if not published:  # an unpublished photo waits to be attached to a feed post
        return {"id": photo_id}
    post = sb.store.new_post("facebook", page.id, caption, now, media_ids=(photo_id,), photo_id=photo_id)
    return {"id": photo_id, "post_id": post.id}
