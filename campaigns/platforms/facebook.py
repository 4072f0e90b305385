"""Facebook Pages through facebook-sdk 3.1.0 (``facebook.GraphAPI``): the only module importing it.

Quirks handled here (see the platform reference): the constructor rejects every Graph version
since 3.1, so ``graph.version`` is set after construction; the library never looks at the HTTP
status, raises on non-JSON answers and has no timeout unless given one; it does not expose the
error subcode or the response headers (our session's response log keeps them). What the Graph's
answers mean (error codes, engagement fields, times) is in ``facebook_answers.py``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import facebook
import requests

from campaigns.account_config import GRAPH_API, AccountConfig
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
    CredentialsRejected,
    OutcomeUnknown,
    RejectedPost,
    TransientError,
)
from campaigns.platforms.facebook_answers import ENGAGEMENT, error_from_graph, parse_time, post_metrics
from campaigns.platforms.facebook_metrics import FacebookMetricsMixin
from campaigns.platforms.http import (
    describe_network_error,
    never_sent,
    redact_in_logs,
    route_session,
)
from campaigns.platforms.matching import has_hashtag, same_text, search_start, with_link

_LOOKBACK_LIMIT = 500  # own posts scanned by find_candidates / search_hashtag


class FacebookPlatform(FacebookMetricsMixin):
    """One Facebook Page. See ``campaigns.platforms.base.Platform`` for the contract."""

    name = "facebook"

    def __init__(self, config: AccountConfig, *, timeout: float = 10.0, graph_version: str = "v23.0") -> None:
        credentials = config.facebook()
        redact_in_logs(credentials.secret_values())
        self.account = config.name
        self._config = config
        self._page = credentials.page_id
        token = credentials.page_token.get_secret_value()
        session = requests.Session()
        self._log = route_session(
            session, GRAPH_API, config.base_url, timeout=timeout, local=config.is_sandbox
        )
        self._graph = facebook.GraphAPI(access_token=token, timeout=timeout, session=session)
        self._graph.version = graph_version  # after construction: its check only knows 2.8-3.1
        self._proof: dict[str, str] = {}
        if credentials.app_secret is not None:
            secret = credentials.app_secret.get_secret_value().encode()
            proof = hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()
            self._proof = {"appsecret_proof": proof}
            redact_in_logs([proof])

    def __repr__(self) -> str:
        return f"FacebookPlatform({self._config.label} at {self._config.base_url})"

    # --- writing --------------------------------------------------------------------------------

    def publish(
        self,
        text: str,
        *,
        media: Sequence[MediaFile] = (),
        reply_to: str | None = None,
        link: str | None = None,
    ) -> RemotePost:
        """A feed post; with an image, a photo post (its ``post_id`` is returned, so that metrics
        address the post, not the photo), whose caption carries ``link``. Pages have no threads
        (campaign threads are X-only), so ``reply_to`` is refused."""
        if reply_to is not None:
            raise self._rejected("Facebook Pages have no threads: publish the text as one post")
        if len(media) > 1:
            raise self._rejected("a Facebook post here carries at most one image")
        with self._mapped(creating=True):
            if media:
                answer = self._put_photo(media[0], with_link(text, link))
            else:
                extra = {"link": link} if link else {}
                answer = self._graph.put_object(self._page, "feed", message=text, **extra, **self._proof)
        post_id = str(answer.get("post_id") or answer["id"])
        return RemotePost(
            id=post_id, url=self._url(post_id), created_at=utc_now(), text=with_link(text, link)
        )

    def _put_photo(self, item: MediaFile, caption: str) -> dict[str, Any]:
        try:
            image = item.path.open("rb")
        except OSError as e:
            raise self._rejected(f"cannot read {item.path.name}: {e.strerror}") from None
        with image:
            answer: dict[str, Any] = self._graph.put_photo(
                image,
                album_path=f"{self._page}/photos",
                message=caption,
                alt_text_custom=item.alt,
                **self._proof,
            )
        return answer

    # --- reading --------------------------------------------------------------------------------

    def find_candidates(
        self, text: str, *, since: datetime, reply_to: str | None = None, link: str | None = None
    ) -> list[RemotePost]:
        """Scans the Page's ``published_posts``. Nothing is a reply (see ``publish``)."""
        if reply_to is not None:
            return []
        candidates = (text, with_link(text, link))
        found: list[RemotePost] = []
        for post in self._own(self._page, "published_posts", fields="id,message,created_time", since=since):
            created = parse_time(post.get("created_time"), now=utc_now())
            if any(same_text(c, post.get("message", "")) for c in candidates):
                found.append(
                    RemotePost(
                        id=str(post["id"]),
                        url=self._url(str(post["id"])),
                        created_at=created,
                        text=post["message"],
                    )
                )
        return found

    def metrics(self, remote_ids: Sequence[str]) -> dict[str, PostMetrics]:
        found: dict[str, PostMetrics] = {}
        for post_id in remote_ids:
            try:
                with self._mapped():
                    post = self._graph.get_object(post_id, fields=ENGAGEMENT, **self._proof)
            except RejectedPost:
                continue  # deleted or never visible to this Page (code 100): left out, as on X
            found[post_id] = post_metrics(post, views=self._views(post_id))
        return found

    def _views(self, post_id: str) -> int | None:
        """``post_media_view`` (what Meta calls views since impressions were retired), if available."""
        try:
            with self._mapped():
                insights = self._graph.get_connections(
                    post_id, "insights", metric="post_media_view", **self._proof
                )
        except RejectedPost:
            return None  # insights need more permissions or the metric is unavailable: not fatal
        for metric in insights.get("data", []):
            values = metric.get("values") or [{}]
            if metric.get("name") == "post_media_view" and isinstance(values[-1].get("value"), int):
                return int(values[-1]["value"])
        return None

    def search_hashtag(
        self, hashtag: str, *, since_id: str | None = None, limit: int = 500
    ) -> list[HashtagPost]:
        """Facebook has no hashtag search: the Page's own posts containing the hashtag, newest first,
        stopping at ``since_id`` (Graph ids are not ordered, so it is a marker, not a bound)."""
        found: list[HashtagPost] = []
        for post in self._own(self._page, "published_posts", fields=f"id,message,created_time,{ENGAGEMENT}"):
            if str(post["id"]) == since_id or len(found) >= limit:
                break
            if has_hashtag(post.get("message", ""), hashtag):
                created = parse_time(post.get("created_time"), now=utc_now())
                found.append(
                    HashtagPost(str(post["id"]), self._page, post["message"], created, post_metrics(post))
                )
        return found

    def check(self) -> AccountStatus:
        """``GET /me`` with the Page token answers with the Page itself."""
        with self._mapped():
            me = self._graph.get_object("me", fields="id,name", **self._proof)
        if str(me.get("id")) != self._page:
            raise CredentialsRejected(
                f"the token is not a Page token for Page {self._page} (it belongs to {me.get('id')})",
                platform=self.name,
                account=self.account,
            )
        name = str(me.get("name", ""))
        return AccountStatus(
            platform=self.name, account=self.account, user_id=self._page, handle=name, name=name
        )

    def rate_limit(self, method: str, route: str) -> RateLimitStatus | None:
        return self._log.rate_limit(method, route)

    def close(self) -> None:
        self._graph.session.close()

    # --- helpers --------------------------------------------------------------------------------

    def _own(
        self, parent: str, edge: str, *, fields: str, since: datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        """Newest first, at most ``_LOOKBACK_LIMIT`` items, stopping before ``since``."""
        args: dict[str, Any] = {"fields": fields, "limit": 100, **self._proof}
        if since is not None:
            since = search_start(since)
            args["since"] = int(since.timestamp())
        with self._mapped():
            for count, item in enumerate(self._graph.get_all_connections(parent, edge, **args)):
                if count >= _LOOKBACK_LIMIT or (
                    since and parse_time(item.get("created_time"), now=utc_now()) < since
                ):
                    return
                yield item

    def _url(self, post_id: str) -> str:
        if self._config.is_sandbox:
            return f"{self._config.base_url}/#post-{post_id}"
        page, _, post = post_id.partition("_")
        return (
            f"https://www.facebook.com/{page}/posts/{post}" if post else f"https://www.facebook.com/{post_id}"
        )

    def _rejected(self, reason: str) -> RejectedPost:
        return RejectedPost(reason, platform=self.name, account=self.account)

    @contextmanager
    def _mapped(self, *, creating: bool = False) -> Iterator[None]:
        """THE mapping from facebook-sdk/requests exceptions to ours. ``creating``: the request may
        create a post, so a lost or failed answer means OutcomeUnknown (reconcile first)."""
        unsure = OutcomeUnknown if creating else TransientError
        where = {"platform": self.name, "account": self.account}
        try:
            yield
        except facebook.GraphAPIError as e:
            raise error_from_graph(
                e.result,
                status=self._log.last_status,
                headers=self._log.last_headers,
                unsure=unsure,
                platform=self.name,
                account=self.account,
                now=utc_now(),
            ) from None
        except requests.RequestException as e:
            kind = unsure if not never_sent(e) else TransientError
            raise kind(describe_network_error(e), **where) from None
        except KeyError as e:  # facebook-sdk reads the content-type header without checking for it
            if e.args != ("content-type",):
                raise
            raise unsure("answer without a content type", **where) from None
