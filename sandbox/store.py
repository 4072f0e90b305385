"""The sandbox's state: accounts, Pages, posts and media, in memory, optionally written through
to a SQLite file. Knows the platforms' bookkeeping (timelines, duplicate windows, first use of a
hashtag) but not their HTTP shapes."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from campaigns import demo_accounts
from sandbox.ids import IdSource
from sandbox.model import FbPage, Media, Post, XAccount, hashtags
from sandbox.persist import StateFile

DUPLICATE_WINDOW = timedelta(hours=24)
_EPOCH = datetime.fromisoformat("2020-01-01T00:00:00+00:00")


class Store:
    def __init__(self, *, extra_accounts: int = 0, state_path: Path | None = None) -> None:
        self.extra_accounts = extra_accounts
        self.state = StateFile(state_path) if state_path is not None else None
        self._clear()
        if self.state is not None:
            self._load()

    def _clear(self) -> None:
        # X apps: consumer key -> secret, and their app-only bearer tokens (the demo app's; more
        # through add_app, as a developer registers another app in the X portal).
        self.apps = {demo_accounts.X_CONSUMER_KEY: demo_accounts.X_CONSUMER_SECRET}
        self.bearer_tokens = {demo_accounts.X_BEARER_TOKEN}
        self.ids = IdSource()
        self.x_accounts: dict[str, XAccount] = {}
        self.x_by_token: dict[str, XAccount] = {}
        self.x_by_username: dict[str, XAccount] = {}
        self.pages: dict[str, FbPage] = {}
        self.pages_by_token: dict[str, FbPage] = {}
        self.posts: dict[str, Post] = {}  # our accounts' posts on both platforms, oldest first
        self.timelines: dict[str, list[Post]] = defaultdict(list)  # account or Page id -> posts
        self.photos: dict[str, Post] = {}  # Facebook photo id -> its post
        self.media: dict[str, Media] = {}
        self._last_text: dict[tuple[str, str], Post] = {}  # (account, text) -> latest post with it
        self.tag_first_use: dict[str, datetime] = {}
        self._seed_accounts()

    def _seed_accounts(self) -> None:
        self.add_x_account(
            demo_accounts.X_USER_ID,
            demo_accounts.X_USERNAME,
            demo_accounts.X_NAME,
            demo_accounts.X_ACCESS_TOKEN,
            demo_accounts.X_ACCESS_TOKEN_SECRET,
            persist=False,
        )
        self.add_page(
            demo_accounts.FB_PAGE_ID, demo_accounts.FB_PAGE_NAME, demo_accounts.FB_PAGE_TOKEN, persist=False
        )
        self.add_family(self.extra_accounts, persist=False)

    def add_family(self, count: int, *, persist: bool = True) -> None:
        """Members 1..count of the deterministic family of ``demo_accounts`` (X account and Page)."""
        for n in range(1, count + 1):
            if demo_accounts.x_user_id(n) not in self.x_accounts:
                self.add_x_account(
                    demo_accounts.x_user_id(n),
                    demo_accounts.x_username(n),
                    f"Sandbox user {n:03d}",
                    demo_accounts.x_access_token(n),
                    demo_accounts.x_access_token_secret(n),
                    persist=persist,
                )
            if demo_accounts.fb_page_id(n) not in self.pages:
                self.add_page(
                    demo_accounts.fb_page_id(n),
                    f"Sandbox Page {n:03d}",
                    demo_accounts.fb_page_token(n),
                    persist=persist,
                )

    def _load(self) -> None:
        assert self.state is not None
        for account in self.state.load("x_account"):
            self._index_x_account(account)
        for page in self.state.load("fb_page"):
            self._index_page(page)
        for media in self.state.load("media"):
            self.media[media.id] = media
            self.ids.observe(media.id)
        for post in self.state.load("post"):
            self._index_post(post)

    def reset(self) -> None:
        """Back to the accounts the sandbox started with, and nothing published."""
        if self.state is not None:
            self.state.clear()
        self._clear()

    def _save(self, obj: Post | Media | XAccount | FbPage) -> None:
        if self.state is not None:
            self.state.save(obj)

    # --- accounts ------------------------------------------------------------------------------

    def add_app(self, consumer_key: str, consumer_secret: str, bearer_token: str | None = None) -> None:
        """Another X app: its key pair signs any account's requests, its bearer token reads."""
        self.apps[consumer_key] = consumer_secret
        if bearer_token:
            self.bearer_tokens.add(bearer_token)

    def add_x_account(
        self,
        user_id: str,
        username: str,
        name: str,
        access_token: str,
        access_token_secret: str,
        *,
        persist: bool = True,
    ) -> XAccount:
        followers = 500 + int(user_id[-6:]) % 4500  # stable, and different between accounts
        account = XAccount(user_id, username, name, access_token, access_token_secret, _EPOCH, followers)
        self._index_x_account(account)
        if persist:
            self._save(account)
        return account

    def _index_x_account(self, account: XAccount) -> None:
        self.x_accounts[account.id] = account
        self.x_by_token[account.access_token] = account
        self.x_by_username[account.username.lower()] = account

    def add_page(self, page_id: str, name: str, access_token: str, *, persist: bool = True) -> FbPage:
        page = FbPage(page_id, name, access_token, followers=800 + int(page_id[-6:]) % 6000)
        self._index_page(page)
        if persist:
            self._save(page)
        return page

    def _index_page(self, page: FbPage) -> None:
        self.pages[page.id] = page
        self.pages_by_token[page.access_token] = page

    # --- posts ---------------------------------------------------------------------------------

    def add_post(self, post: Post) -> Post:
        self._index_post(post)
        self._save(post)
        return post

    def _index_post(self, post: Post) -> None:
        self.ids.observe(post.id)
        self.posts[post.id] = post
        self.timelines[post.account_id].append(post)
        if post.photo_id:
            self.photos[post.photo_id] = post
        if post.deleted_at is None:
            self._last_text[(post.account_id, _dedupe_key(post))] = post
        for tag in post.tags:
            first = self.tag_first_use.get(tag)
            if first is None or post.created_at < first:
                self.tag_first_use[tag] = post.created_at

    def new_post(self, platform: str, account_id: str, text: str, now: datetime, **fields: object) -> Post:
        """A post with a fresh id, stored; ``fields`` are the other ``Post`` attributes."""
        post_id = self.ids.next_x(now.timestamp()) if platform == "x" else self.ids.next_graph()
        if platform == "facebook":
            post_id = f"{account_id}_{post_id}"
        post = Post(platform, post_id, account_id, text, now, tags=hashtags(text), **fields)  # type: ignore[arg-type]
        if post.conversation_id is None and platform == "x":
            post.conversation_id = post.id
        return self.add_post(post)

    def is_duplicate(self, account_id: str, text: str, link: str | None, now: datetime) -> bool:
        """Same text (and link) by the same account within 24 h, still up."""
        previous = self._last_text.get((account_id, _normalise(text) + "\n" + (link or "")))
        return (
            previous is not None
            and previous.deleted_at is None
            and timedelta(0) <= now - previous.created_at < DUPLICATE_WINDOW
        )

    def delete_post(self, post: Post, now: datetime) -> None:
        post.deleted_at = now
        self._save(post)

    def visible_timeline(self, account_id: str, now: datetime) -> list[Post]:
        """An account's posts that exist at ``now``, newest first."""
        return [p for p in reversed(self.timelines.get(account_id, [])) if p.visible_at(now)]

    # --- media ---------------------------------------------------------------------------------

    def new_media(self, media: Media) -> Media:
        self.media[media.id] = media
        self._save(media)
        return media

    def save_media(self, media: Media) -> None:
        self._save(media)


def _normalise(text: str) -> str:
    # X compares the content as posted; only surrounding whitespace is ignored here.
    return text.strip()


def _dedupe_key(post: Post) -> str:
    return _normalise(post.text) + "\n" + (post.link or "")
