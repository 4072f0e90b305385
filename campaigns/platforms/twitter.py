"""X (Twitter) through ``tweepy.Client`` (API v2): the only module that imports tweepy.

Writes use OAuth 1.0a user context; reads use the bearer token when there is one (else user
context). ``wait_on_rate_limit`` stays off: a 429 becomes ``RateLimited`` and the caller decides.
Media go through the v2 upload routes with JSON/base64 bodies, because tweepy 4.17 has no v2
media methods and ``Client.request`` only sends JSON.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy

from campaigns.account_config import TWITTER_API, AccountConfig
from campaigns.clock import utc_now
from campaigns.platforms.base import (
    AccountStatus,
    HashtagPost,
    MediaFile,
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
from campaigns.platforms.http import (
    describe_network_error,
    never_sent,
    redact_in_logs,
    route_session,
)
from campaigns.platforms.matching import expand_links, same_text, search_start, with_link
from campaigns.platforms.twitter_metrics import TwitterMetricsMixin

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# Problem types (matched on their suffix: api.twitter.com or api.x.com prefix) that mean the
# credentials or the app's access level, not the post, are at fault.
_ACCESS_PROBLEMS = ("/client-forbidden", "/unsupported-authentication", "/not-authorized-for-resource")
_DEFAULT_RATE_WINDOW = timedelta(minutes=15)  # X's window, when a 429 carries no reset header
_LOOKBACK_LIMIT = 800  # own posts scanned by find_candidates (X serves at most 3,200)


class TwitterPlatform(TwitterMetricsMixin):
    """One X account. See ``campaigns.platforms.base.Platform`` for the contract."""

    name = "twitter"

    def __init__(self, config: AccountConfig, *, timeout: float = 10.0) -> None:
        credentials = config.twitter()
        redact_in_logs(credentials.secret_values())
        self.account = config.name
        self._config = config
        self._user_id = credentials.user_id
        self._reads_as_user = credentials.bearer_token is None
        self._client = tweepy.Client(
            bearer_token=credentials.bearer_token.get_secret_value() if credentials.bearer_token else None,
            consumer_key=credentials.consumer_key.get_secret_value(),
            consumer_secret=credentials.consumer_secret.get_secret_value(),
            access_token=credentials.access_token.get_secret_value(),
            access_token_secret=credentials.access_token_secret.get_secret_value(),
            wait_on_rate_limit=False,
        )
        self._log = route_session(
            self._client.session, TWITTER_API, config.base_url, timeout=timeout, local=config.is_sandbox
        )

    def __repr__(self) -> str:
        return f"TwitterPlatform({self._config.label} at {self._config.base_url})"

    # --- writing --------------------------------------------------------------------------------

    def publish(
        self,
        text: str,
        *,
        media: Sequence[MediaFile] = (),
        reply_to: str | None = None,
        link: str | None = None,
    ) -> RemotePost:
        media_ids = [self._upload(item) for item in media] or None
        with self._mapped(creating=True):
            response = self._client.create_tweet(
                text=with_link(text, link), media_ids=media_ids, in_reply_to_tweet_id=reply_to
            )
        data: dict[str, Any] = response.data
        return RemotePost(
            id=str(data["id"]), url=self._url(str(data["id"])), created_at=utc_now(), text=data["text"]
        )

    def _upload(self, item: MediaFile) -> str:
        """Upload one image and set its alt text; returns the media id. Not a create: an upload that
        times out leaves at most an unused media object, so errors here are never OutcomeUnknown."""
        media_type = mimetypes.guess_type(item.path.name)[0]
        if media_type not in IMAGE_TYPES:
            raise self._rejected(f"{item.path.name}: not an image X accepts ({', '.join(IMAGE_TYPES)})")
        try:
            content = item.path.read_bytes()
        except OSError as e:
            raise self._rejected(f"cannot read {item.path.name}: {e.strerror}") from None
        body = {
            "media": base64.b64encode(content).decode(),
            "media_category": "tweet_image",
            "media_type": media_type,
        }
        with self._mapped():
            uploaded = self._client.request("POST", "/2/media/upload", json=body, user_auth=True)
            media_id = str(uploaded.json()["data"]["id"])  # images need no processing (no STATUS poll)
            if item.alt:
                alt = {"id": media_id, "metadata": {"alt_text": {"text": item.alt}}}
                self._client.request("POST", "/2/media/metadata", json=alt, user_auth=True)
        return media_id

    # --- reading --------------------------------------------------------------------------------

    def find_candidates(
        self, text: str, *, since: datetime, reply_to: str | None = None, link: str | None = None
    ) -> list[RemotePost]:
        """Scans the account's own timeline (``GET /2/users/:id/tweets``) from ``since`` (less a
        margin for clock skew) on; each tweet's t.co links are expanded from ``entities.urls``
        before its text is compared."""
        wanted = with_link(text, link)
        user_id = self._own_id()
        found: list[RemotePost] = []
        with self._mapped():
            pages = tweepy.Paginator(
                self._client.get_users_tweets,
                user_id,
                start_time=search_start(since).astimezone(UTC),
                max_results=100,
                tweet_fields=["created_at", "referenced_tweets", "entities"],
                user_auth=self._reads_as_user,
            )
            for tweet in pages.flatten(limit=_LOOKBACK_LIMIT):
                shown = expand_links(tweet.text, (tweet.entities or {}).get("urls") or ())
                if same_text(wanted, shown) and (reply_to is None or _replies_to(tweet) == reply_to):
                    created = tweet.created_at.astimezone(UTC) if tweet.created_at else utc_now()
                    found.append(
                        RemotePost(
                            id=str(tweet.id),
                            url=self._url(str(tweet.id)),
                            created_at=created,
                            text=tweet.text,
                        )
                    )
        return found

    def metrics(self, remote_ids: Sequence[str]) -> dict[str, PostMetrics]:
        found: dict[str, PostMetrics] = {}
        for start in range(0, len(remote_ids), 100):  # GET /2/tweets takes at most 100 ids
            with self._mapped():
                response = self._client.get_tweets(
                    list(remote_ids[start : start + 100]),
                    tweet_fields=["public_metrics"],
                    user_auth=self._reads_as_user,
                )
            for tweet in response.data or []:  # deleted or unknown ids come back in `errors`
                found[str(tweet.id)] = _metrics(tweet.public_metrics or {})
        return found

    def search_hashtag(
        self, hashtag: str, *, since_id: str | None = None, limit: int = 500
    ) -> list[HashtagPost]:
        """Last 7 days, retweets excluded; at most ``limit`` posts (reads are billed per post)."""
        query = f"#{hashtag.lstrip('#')} -is:retweet"
        with self._mapped():
            pages = tweepy.Paginator(
                self._client.search_recent_tweets,
                query,
                since_id=since_id,
                max_results=100,
                tweet_fields=["created_at", "public_metrics", "author_id"],
                user_auth=self._reads_as_user,
            )
            return [
                HashtagPost(
                    id=str(tweet.id),
                    author_id=str(tweet.author_id),
                    text=tweet.text,
                    created_at=tweet.created_at.astimezone(UTC),
                    metrics=_metrics(tweet.public_metrics or {}),
                )
                for tweet in pages.flatten(limit=limit)
            ]

    def check(self) -> AccountStatus:
        with self._mapped():
            user = self._client.get_me(user_fields=["username", "name"]).data
        self._user_id = str(user.id)
        return AccountStatus(
            platform=self.name,
            account=self.account,
            user_id=str(user.id),
            handle=f"@{user.username}",
            name=user.name,
        )

    def rate_limit(self, method: str, route: str) -> RateLimitStatus | None:
        return self._log.rate_limit(method, route)

    def close(self) -> None:
        self._client.session.close()

    # --- helpers --------------------------------------------------------------------------------

    def _own_id(self) -> str:
        return self._user_id or self.check().user_id

    def _url(self, tweet_id: str) -> str:
        if self._config.is_sandbox:
            return f"{self._config.base_url}/#tweet-{tweet_id}"
        return f"https://x.com/i/web/status/{tweet_id}"

    def _rejected(self, reason: str) -> RejectedPost:
        return RejectedPost(reason, platform=self.name, account=self.account)

    @contextmanager
    def _mapped(self, *, creating: bool = False) -> Iterator[None]:
        """THE mapping from tweepy/requests exceptions to ours. ``creating``: the request may create
        a post, so losing its answer means OutcomeUnknown, not a plain TransientError."""
        try:
            yield
        except tweepy.HTTPException as e:
            raise self._from_response(e, creating=creating) from None
        except requests.RequestException as e:
            kind = OutcomeUnknown if creating and not never_sent(e) else TransientError
            raise kind(describe_network_error(e), platform=self.name, account=self.account) from None

    def _from_response(self, e: tweepy.HTTPException, *, creating: bool) -> PlatformError:
        status = e.response.status_code
        body = _json(e.response)
        message = "; ".join(str(m) for m in e.api_messages) or str(body.get("title") or e.response.reason)
        problem = str(body.get("type", ""))
        where = {"platform": self.name, "account": self.account}
        if status == 429 and problem.endswith("/usage-capped"):
            return QuotaExhausted(f"{message} (HTTP 429)", **where)
        if status == 429:
            return RateLimited(message, reset_at=_reset_at(e), **where)
        if status == 403 and any("duplicate content" in str(m) for m in e.api_messages):
            return AlreadyPublished(message, **where)
        if status == 401 or (status == 403 and problem.endswith(_ACCESS_PROBLEMS)):
            return CredentialsRejected(f"{message} (HTTP {status})", code=status, **where)
        if status == 402:
            return QuotaExhausted(f"{message} (HTTP 402)", **where)
        if status >= 500:  # on a create, a gateway may have given up while the post was being made
            kind = OutcomeUnknown if creating else TransientError
            return kind(f"{message} (HTTP {status})", **where)
        return RejectedPost(f"{message} (HTTP {status})", **where)


def _metrics(public: dict[str, Any]) -> PostMetrics:
    return PostMetrics(
        likes=int(public.get("like_count", 0)),
        reposts=int(public.get("retweet_count", 0)),
        replies=int(public.get("reply_count", 0)),
        quotes=public.get("quote_count"),
        impressions=public.get("impression_count"),
        bookmarks=public.get("bookmark_count"),
        raw=dict(public),
    )


def _replies_to(tweet: tweepy.Tweet) -> str | None:
    for ref in tweet.referenced_tweets or []:
        if ref.type == "replied_to":
            return str(ref.id)
    return None


def _reset_at(e: tweepy.HTTPException) -> datetime:
    reset = getattr(e, "reset_time", None)
    return datetime.fromtimestamp(reset, UTC) if reset else utc_now() + _DEFAULT_RATE_WINDOW


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
