"""X API v2 media upload: one-shot ``POST /2/media/upload``, the chunked initialize / append /
finalize routes, STATUS polling, and ``POST /2/media/metadata`` for alt text.

Bodies may be JSON with base64 ``media`` (all that ``tweepy.Client.request`` can send) or
multipart. Limits: images 5 MB (jpeg, png, gif, webp), GIFs 15 MB, videos 512 MB (mp4).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from sandbox.core import Sandbox, sandbox_of, x_json
from sandbox.errors import x_invalid_request
from sandbox.mediatypes import IMAGE_TYPES, sniff
from sandbox.model import Media, XAccount
from sandbox.x_tweets import dig, read_json

EXPIRES_AFTER = 86400
_CATEGORIES = {
    "tweet_image": IMAGE_TYPES,
    "dm_image": IMAGE_TYPES,
    "tweet_gif": ("image/gif",),
    "dm_gif": ("image/gif",),
    "tweet_video": ("video/mp4",),
    "dm_video": ("video/mp4",),
    "amplify_video": ("video/mp4",),
}


def _max_bytes(sb: Sandbox, category: str) -> int:
    if category.endswith("video"):
        return sb.options.x_video_max_bytes
    return sb.options.x_gif_max_bytes if category.endswith("gif") else sb.options.x_image_max_bytes


async def _fields(request: web.Request) -> dict[str, Any]:
    """The body as a dict, whether JSON (base64 ``media``) or multipart (``media`` as bytes)."""
    if request.content_type == "application/json":
        body = await read_json(request)
        if "media" in body:
            try:
                body["media"] = base64.b64decode(str(body["media"]), validate=True)
            except (binascii.Error, ValueError):
                raise x_invalid_request("`media` must be base64-encoded.", "media") from None
        return body
    form = await request.post()
    out: dict[str, Any] = {}
    for name, value in form.items():
        out[name] = value.file.read() if isinstance(value, web.FileField) else value
    if isinstance(out.get("media"), str):
        out["media"] = out["media"].encode("latin-1")
    return out


async def _user(request: web.Request, route: str) -> tuple[Sandbox, XAccount]:
    sb = sandbox_of(request)
    user = await sb.x_auth.user(request)
    sb.x_limit(request, route, user.id)
    return sb, user


def _category(body: dict[str, Any], default: str = "tweet_image") -> str:
    category = str(body.get("media_category") or default)
    if category not in _CATEGORIES:
        raise x_invalid_request(
            f"`media_category` must be one of {', '.join(_CATEGORIES)}.", "media_category", [category]
        )
    return category


def _check_content(sb: Sandbox, category: str, data: bytes) -> str:
    kind = sniff(data)
    if kind is None or kind not in _CATEGORIES[category]:
        raise x_invalid_request("media type unrecognized.", "media")
    if len(data) > _max_bytes(sb, category):
        raise x_invalid_request(f"File size exceeds {_max_bytes(sb, category)} bytes.", "media")
    return kind


def _media_data(media: Media) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": media.id,
        "media_key": media.media_key,
        "size": media.total_bytes,
        "expires_after_secs": EXPIRES_AFTER,
    }
    if media.kind != "photo":
        percent = {"pending": 0, "in_progress": 50, "succeeded": 100}.get(media.state, 0)
        out["processing_info"] = {"state": media.state, "progress_percent": percent}
        if media.state in ("pending", "in_progress"):
            out["processing_info"]["check_after_secs"] = 1
    return out


async def upload(request: web.Request) -> web.Response:
    sb, user = await _user(request, "POST /2/media/upload")
    body = await _fields(request)
    data = body.get("media")
    if not isinstance(data, bytes) or not data:
        raise x_invalid_request("`media` is required.", "media")
    category = _category(body)
    kind = _check_content(sb, category, data)
    media = _new_media(sb, user, kind, category, len(data))
    media.data, media.state = data, "succeeded" if media.kind == "photo" else "pending"
    sb.store.save_media(media)
    return x_json({"data": _media_data(media)})


def _new_media(sb: Sandbox, user: XAccount, kind: str, category: str, size: int) -> Media:
    now = sb.now()
    media_id = sb.store.ids.next_x(now.timestamp())
    return sb.store.new_media(
        Media(media_id, "x", user.id, kind, category, now, total_bytes=size, state="uploading")
    )


async def initialize(request: web.Request) -> web.Response:
    sb, user = await _user(request, "POST /2/media/upload/initialize")
    body = await read_json(request)
    category = _category(body)
    media_type, total = body.get("media_type"), body.get("total_bytes")
    if media_type not in _CATEGORIES[category]:
        raise x_invalid_request("`media_type` is not supported for this media_category.", "media_type")
    if not isinstance(total, int) or not 0 < total <= _max_bytes(sb, category):
        raise x_invalid_request(f"`total_bytes` must be 1 to {_max_bytes(sb, category)}.", "total_bytes")
    media = _new_media(sb, user, str(media_type), category, total)
    return x_json(
        {"data": {"id": media.id, "media_key": media.media_key, "expires_after_secs": EXPIRES_AFTER}}
    )


def _owned(sb: Sandbox, user: XAccount, media_id: str) -> Media:
    media = sb.store.media.get(media_id)
    if media is None or media.owner_id != user.id or media.platform != "x":
        raise x_invalid_request(f"The media id [{media_id}] is not valid.", "media_id", [media_id])
    return media


async def append(request: web.Request) -> web.Response:
    sb, user = await _user(request, "POST /2/media/upload/:id/append")
    media = _owned(sb, user, request.match_info["id"])
    body = await _fields(request)
    data, index = body.get("media"), body.get("segment_index")
    index = int(index) if isinstance(index, int | str) and str(index).isdigit() else -1
    if not isinstance(data, bytes) or not 0 <= index <= 999 or media.state != "uploading":
        raise x_invalid_request(
            "An append needs `media` and a `segment_index` from 0 to 999.", "segment_index"
        )
    media.chunks[index] = data
    if sum(len(c) for c in media.chunks.values()) > media.total_bytes:
        raise x_invalid_request("Segments exceed the total_bytes given at initialize.", "media")
    expires_at = int(media.created_at.timestamp()) + EXPIRES_AFTER
    return x_json({"data": {"expires_at": expires_at}})


async def finalize(request: web.Request) -> web.Response:
    sb, user = await _user(request, "POST /2/media/upload/:id/finalize")
    media = _owned(sb, user, request.match_info["id"])
    if media.state != "uploading":
        raise x_invalid_request("This media has already been finalized.", "media_id", [media.id])
    data = b"".join(media.chunks[i] for i in sorted(media.chunks))
    if len(data) != media.total_bytes:
        raise x_invalid_request("Segments do not add up to provided total file size.", "media_id", [media.id])
    media.media_type = _check_content(sb, media.category, data)
    media.data, media.chunks = data, {}
    media.state = "succeeded" if media.kind == "photo" else "pending"
    sb.store.save_media(media)
    return x_json({"data": _media_data(media)})


async def status(request: web.Request) -> web.Response:
    sb, user = await _user(request, "GET /2/media/upload")
    if request.query.get("command", "STATUS") != "STATUS":
        raise x_invalid_request("`command` must be STATUS.", "command")
    media = _owned(sb, user, request.query.get("media_id", ""))
    # Processing moves on one step per poll, so clients exercise their polling loop quickly.
    media.state = {"pending": "in_progress", "in_progress": "succeeded"}.get(media.state, media.state)
    data = _media_data(media)
    data.pop("expires_after_secs")
    return x_json({"data": data})


async def metadata(request: web.Request) -> web.Response:
    sb, user = await _user(request, "POST /2/media/metadata")
    body = await read_json(request)
    media = _owned(sb, user, str(body.get("id", "")))
    alt = dig(body, "metadata", "alt_text", "text")
    if not isinstance(alt, str) or not 0 < len(alt) <= 1000:
        raise x_invalid_request(
            "`metadata.alt_text.text` must be 1 to 1000 characters.", "metadata.alt_text.text"
        )
    media.alt_text = alt
    sb.store.save_media(media)
    return x_json({"data": {"id": media.id, "associated_metadata": True}})


def routes() -> list[web.RouteDef]:
    return [
        web.post("/2/media/upload", upload),
        web.get("/2/media/upload", status),
        web.post("/2/media/upload/initialize", initialize),
        web.post("/2/media/upload/{id}/append", append),
        web.post("/2/media/upload/{id}/finalize", finalize),
        web.post("/2/media/metadata", metadata),
    ]
