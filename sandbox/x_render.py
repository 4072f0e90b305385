"""X API v2 objects as JSON: tweets, users and media, with ``*.fields`` and ``expansions``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sandbox.clock import iso_ms
from sandbox.core import Sandbox
from sandbox.engagement import x_metrics
from sandbox.errors import x_invalid_request
from sandbox.model import Post, hashtag_spans
from sandbox.x_links import Wrapped, wrap

TWEET_FIELDS = frozenset(
    [
        "article",
        "attachments",
        "author_id",
        "card_uri",
        "community_id",
        "context_annotations",
        "conversation_id",
        "created_at",
        "display_text_range",
        "edit_controls",
        "edit_history_tweet_ids",
        "entities",
        "geo",
        "id",
        "in_reply_to_user_id",
        "lang",
        "media_metadata",
        "non_public_metrics",
        "note_tweet",
        "organic_metrics",
        "possibly_sensitive",
        "promoted_metrics",
        "public_metrics",
        "referenced_tweets",
        "reply_settings",
        "scopes",
        "source",
        "text",
        "withheld",
    ]
)
USER_FIELDS = frozenset(
    [
        "affiliation",
        "connection_status",
        "created_at",
        "description",
        "entities",
        "id",
        "is_identity_verified",
        "location",
        "most_recent_tweet_id",
        "name",
        "parody",
        "pinned_tweet_id",
        "profile_banner_url",
        "profile_image_url",
        "protected",
        "public_metrics",
        "receives_your_dm",
        "subscription",
        "subscription_type",
        "url",
        "username",
        "verified",
        "verified_followers_count",
        "verified_type",
        "withheld",
    ]
)
MEDIA_FIELDS = frozenset(
    [
        "alt_text",
        "duration_ms",
        "height",
        "media_key",
        "non_public_metrics",
        "organic_metrics",
        "preview_image_url",
        "promoted_metrics",
        "public_metrics",
        "type",
        "url",
        "variants",
        "width",
    ]
)
EXPANSIONS = frozenset(
    [
        "article.cover_media",
        "article.media_entities",
        "attachments.media_keys",
        "attachments.media_source_tweet",
        "attachments.poll_ids",
        "author_id",
        "edit_history_tweet_ids",
        "entities.mentions.username",
        "geo.place_id",
        "in_reply_to_user_id",
        "entities.note.mentions.username",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
        "pinned_tweet_id",
    ]
)
_ALLOWED = {
    "tweet.fields": TWEET_FIELDS,
    "user.fields": USER_FIELDS,
    "media.fields": MEDIA_FIELDS,
    "expansions": EXPANSIONS,
}


# An expansion brings the field it expands along (X adds author_id when asked to expand it).
_IMPLIED_BY_EXPANSION = frozenset({"author_id", "in_reply_to_user_id"})


@dataclass(frozen=True, slots=True)
class Fields:
    tweet: frozenset[str] = frozenset()
    user: frozenset[str] = frozenset()
    media: frozenset[str] = frozenset()
    expansions: frozenset[str] = frozenset()


def parse_fields(query: Mapping[str, str]) -> Fields:
    """The requested fields; 400 with X's message for a value the API does not know."""
    found: dict[str, frozenset[str]] = {}
    for name, allowed in _ALLOWED.items():
        values = frozenset(v for v in query.get(name, "").split(",") if v)
        bad = sorted(values - allowed)
        if bad:
            raise x_invalid_request(
                f"The `{name}` query parameter value [{bad[0]}] is not one of [{','.join(sorted(allowed))}]",
                name,
                bad,
            )
        found[name] = values
    return Fields(found["tweet.fields"], found["user.fields"], found["media.fields"], found["expansions"])


def wrapped(sb: Sandbox, post: Post) -> Wrapped:
    """The tweet's text as X returns it: links as t.co, and a trailing link for its media."""
    media = [sb.store.media[m] for m in post.media_ids if m in sb.store.media]
    return wrap(
        post.id,
        post.text,
        username=sb.x_author(post.account_id).username,
        media_keys=tuple(m.media_key for m in media),
        media_kind=media[0].kind if media else "photo",
    )


def tweet_json(sb: Sandbox, post: Post, fields: Fields) -> dict[str, Any]:
    shown = wrapped(sb, post)
    out: dict[str, Any] = {"id": post.id, "text": shown.text, "edit_history_tweet_ids": [post.id]}
    wanted = fields.tweet | (fields.expansions & _IMPLIED_BY_EXPANSION)
    if not wanted:
        return out
    if "created_at" in wanted:
        out["created_at"] = iso_ms(post.created_at)
    if "author_id" in wanted:
        out["author_id"] = post.account_id
    if "conversation_id" in wanted:
        out["conversation_id"] = post.conversation_id or post.id
    if "in_reply_to_user_id" in wanted and post.in_reply_to_user:
        out["in_reply_to_user_id"] = post.in_reply_to_user
    if ("referenced_tweets" in wanted or "referenced_tweets.id" in fields.expansions) and (
        post.in_reply_to or post.retweet_of
    ):
        kind, ref = ("replied_to", post.in_reply_to) if post.in_reply_to else ("retweeted", post.retweet_of)
        out["referenced_tweets"] = [{"type": kind, "id": ref}]
    if ("attachments" in wanted or "attachments.media_keys" in fields.expansions) and post.media_ids:
        out["attachments"] = {"media_keys": [sb.store.media[m].media_key for m in post.media_ids]}
    if "entities" in wanted and (post.tags or shown.urls):
        entities: dict[str, Any] = {}
        if post.tags:
            entities["hashtags"] = [{"start": s, "end": e, "tag": t} for s, e, t in hashtag_spans(shown.text)]
        if shown.urls:
            entities["urls"] = shown.urls
        out["entities"] = entities
    if "public_metrics" in wanted:
        out["public_metrics"] = x_metrics(sb.seed, post, sb.x_author(post.account_id).followers, sb.now())
    if "lang" in wanted:
        out["lang"] = "en"
    if "possibly_sensitive" in wanted:
        out["possibly_sensitive"] = False
    if "reply_settings" in wanted:
        out["reply_settings"] = "everyone"
    if "edit_controls" in wanted:
        until = post.created_at + timedelta(hours=1)
        out["edit_controls"] = {
            "edits_remaining": 5,
            "is_edit_eligible": not post.media_ids,
            "editable_until": iso_ms(until),
        }
    return out


def user_json(sb: Sandbox, user_id: str, fields: Fields) -> dict[str, Any]:
    author = sb.x_author(user_id)
    out: dict[str, Any] = {"id": author.id, "name": author.name, "username": author.username}
    wanted = fields.user
    if "created_at" in wanted:
        out["created_at"] = "2020-01-01T00:00:00.000Z"
    if "description" in wanted:
        out["description"] = "A sandbox account." if user_id in sb.store.x_accounts else "Simulated account."
    if "protected" in wanted:
        out["protected"] = False
    if "verified" in wanted:
        out["verified"] = False
    if "profile_image_url" in wanted:
        out["profile_image_url"] = (
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
        )
    if "public_metrics" in wanted:
        tweets = len(sb.store.timelines.get(user_id, ()))
        out["public_metrics"] = {
            "followers_count": author.followers,
            "following_count": author.followers // 7,
            "tweet_count": tweets,
            "listed_count": author.followers // 100,
            "like_count": tweets * 3,
            "media_count": 0,
        }
    return out


def media_json(sb: Sandbox, media_id: str, fields: Fields, base_url: str) -> dict[str, Any]:
    media = sb.store.media[media_id]
    out: dict[str, Any] = {"media_key": media.media_key, "type": media.kind}
    if "alt_text" in fields.media and media.alt_text:
        out["alt_text"] = media.alt_text
    if "url" in fields.media and media.kind == "photo":
        out["url"] = f"{base_url}/_sandbox/media/{media.id}"
    return out


def page(sb: Sandbox, posts: list[Post], fields: Fields, base_url: str) -> dict[str, Any]:
    """``data`` and ``includes`` for a list of tweets (no ``meta``)."""
    out: dict[str, Any] = {}
    if posts:
        out["data"] = [tweet_json(sb, p, fields) for p in posts]
    includes: dict[str, list[dict[str, Any]]] = {}
    if "author_id" in fields.expansions and posts:
        authors = dict.fromkeys(p.account_id for p in posts)
        includes["users"] = [user_json(sb, a, fields) for a in authors]
    if "attachments.media_keys" in fields.expansions:
        media_ids = [m for p in posts for m in p.media_ids]
        if media_ids:
            includes["media"] = [media_json(sb, m, fields, base_url) for m in dict.fromkeys(media_ids)]
    if includes:
        out["includes"] = includes
    return out
