"""The Graph API's ``fields`` parameter and the nodes it renders (Page, Post, Photo).

Grammar: ``name(.modifier(arg))*({subfields})?`` separated by commas, e.g.
``message,reactions.type(LOVE).limit(0).summary(total_count).as(loves),comments.summary(true)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.clock import graph_time
from sandbox.core import Sandbox
from sandbox.engagement import REACTION_TYPES, facebook_metrics
from sandbox.errors import graph_invalid_parameter
from sandbox.model import FbPage, Post

_TOKEN = re.compile(r"\s*([\w]+)|\s*(\.)|\s*(\()([^)]*)\)|\s*([{},])")


@dataclass
class FieldSpec:
    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    subfields: list[FieldSpec] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.modifiers.get("as", self.name)


def parse_fields(text: str) -> list[FieldSpec]:
    tokens = [
        m.group(1) or m.group(2) or (m.group(3) and "(" + m.group(4)) or m.group(5)
        for m in _TOKEN.finditer(text)
    ]
    specs, rest = _parse_list(tokens)
    if rest:
        raise graph_invalid_parameter(f"Syntax error in fields near '{rest[0]}'")
    return specs


def _parse_list(tokens: list[str]) -> tuple[list[FieldSpec], list[str]]:
    specs: list[FieldSpec] = []
    while tokens and tokens[0] != "}":
        name, tokens = tokens[0], tokens[1:]
        if not name.replace("_", "").isalnum():
            raise graph_invalid_parameter(f"Syntax error in fields near '{name}'")
        spec = FieldSpec(name)
        while len(tokens) >= 3 and tokens[0] == "." and tokens[2].startswith("("):
            spec.modifiers[tokens[1]] = tokens[2][1:].strip()
            tokens = tokens[3:]
        if tokens and tokens[0] == "{":
            spec.subfields, tokens = _parse_list(tokens[1:])
            if not tokens or tokens[0] != "}":
                raise graph_invalid_parameter("Syntax error in fields: missing '}'")
            tokens = tokens[1:]
        specs.append(spec)
        if tokens and tokens[0] == ",":
            tokens = tokens[1:]
    return specs, tokens


def _nonexisting(name: str, node: str) -> Exception:
    return graph_invalid_parameter(f"Tried accessing nonexisting field ({name}) on node type ({node})")


def _edge_summary(spec: FieldSpec, total: int, extra: dict[str, Any]) -> dict[str, Any]:
    unknown = set(spec.modifiers) - {"summary", "limit", "type", "as", "filter", "order"}
    if unknown:
        raise graph_invalid_parameter(f"Unknown modifier ({sorted(unknown)[0]}) on field ({spec.name})")
    out: dict[str, Any] = {"data": []}
    if spec.modifiers.get("summary", "false").lower() in ("true", "1", "total_count"):
        out["summary"] = {"total_count": total, **extra}
    return out


def render_post(sb: Sandbox, post: Post, specs: list[FieldSpec], base_url: str) -> dict[str, Any]:
    page = sb.store.pages[post.account_id]
    metrics = facebook_metrics(sb.seed, post, page.followers, sb.now())
    reactions: dict[str, int] = metrics["reactions"]  # type: ignore[assignment]
    out: dict[str, Any] = {}
    for spec in specs or [FieldSpec("created_time"), FieldSpec("message"), FieldSpec("id")]:
        name = spec.name
        if name == "id":
            out["id"] = post.id
        elif name == "message":
            if post.text:
                out[spec.key] = post.text
        elif name in ("created_time", "updated_time"):
            out[spec.key] = graph_time(post.created_at)
        elif name == "permalink_url":
            out[spec.key] = f"https://www.facebook.com/{post.account_id}/posts/{post.id.split('_')[1]}"
        elif name == "from":
            out[spec.key] = {"name": page.name, "id": page.id}
        elif name == "shares":
            if metrics["shares"]:  # the Graph API leaves shares out when nobody shared
                out[spec.key] = {"count": metrics["shares"]}
        elif name == "reactions":
            kind = spec.modifiers.get("type", "").lower()
            if kind and kind not in REACTION_TYPES:
                raise graph_invalid_parameter(f"Invalid reaction type ({kind.upper()})")
            total = reactions[kind] if kind else sum(reactions.values())
            out[spec.key] = _edge_summary(spec, total, {"viewer_reaction": "NONE"})
        elif name == "likes":
            out[spec.key] = _edge_summary(spec, reactions["like"], {"can_like": True, "has_liked": False})
        elif name == "comments":
            count = int(metrics["comments"])  # type: ignore[call-overload]
            out[spec.key] = _edge_summary(spec, count, {"order": "ranked", "can_comment": True})
        elif name == "full_picture":
            if post.media_ids:
                out[spec.key] = f"{base_url}/_sandbox/media/{post.media_ids[0]}"
        elif name == "status_type":
            out[spec.key] = (
                "added_photos" if post.photo_id else ("shared_story" if post.link else "mobile_status_update")
            )
        elif name == "is_published":
            out[spec.key] = post.published
        elif name == "scheduled_publish_time" and post.scheduled_at is not None:
            out[spec.key] = int(post.scheduled_at.timestamp())
        elif name != "scheduled_publish_time":
            raise _nonexisting(name, "Post")
    out.setdefault("id", post.id)  # the Graph API always includes the node's id
    return out


def render_page(page: FbPage, specs: list[FieldSpec]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": page.id,
        "name": page.name,
        "category": "Nonprofit organization",
        "fan_count": page.followers,
        "followers_count": page.followers,
        "link": f"https://www.facebook.com/{page.id}",
        "about": "A sandbox Page.",
    }
    out: dict[str, Any] = {}
    for spec in specs or [FieldSpec("name"), FieldSpec("id")]:
        if spec.name not in values:
            raise _nonexisting(spec.name, "Page")
        out[spec.key] = values[spec.name]
    out.setdefault("id", page.id)
    return out


def render_photo(sb: Sandbox, post: Post, specs: list[FieldSpec], base_url: str) -> dict[str, Any]:
    assert post.photo_id is not None
    media = sb.store.media.get(post.media_ids[0]) if post.media_ids else None
    values: dict[str, Any] = {
        "id": post.photo_id,
        "name": post.text or None,
        "created_time": graph_time(post.created_at),
        "alt_text_custom": media.alt_text if media else None,
        "page_story_id": post.id,
        "link": f"https://www.facebook.com/photo.php?fbid={post.photo_id}",
        "from": {"name": sb.store.pages[post.account_id].name, "id": post.account_id},
        "images": [{"source": f"{base_url}/_sandbox/media/{media.id}"}] if media else [],
    }
    out: dict[str, Any] = {}
    for spec in specs or [FieldSpec("created_time"), FieldSpec("name"), FieldSpec("id")]:
        if spec.name not in values:
            raise _nonexisting(spec.name, "Photo")
        if values[spec.name] is not None:
            out[spec.key] = values[spec.name]
    out.setdefault("id", post.photo_id)
    return out
