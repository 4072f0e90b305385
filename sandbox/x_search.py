"""X API v2 recent search: a small query language over our posts and the simulated chatter.

Supported: words, "phrases", #hashtags, @mentions, from:, to:, is:retweet, is:reply, is:quote,
has:media, has:hashtags, has:links, lang:, grouping with ( ), OR, and negation with -. As on X,
terms are ANDed, matching is case-insensitive, and a query needs at least one positive term.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from aiohttp import web

from sandbox.core import Sandbox, sandbox_of, x_json
from sandbox.errors import PlatformError, x_invalid_request
from sandbox.model import Post
from sandbox.x_render import parse_fields
from sandbox.x_tweets import bounded_int, charged, paginate, window

SEARCH_WINDOW = timedelta(days=7)
MAX_QUERY = 512
Predicate = Callable[[Post], bool]
_TOKEN = re.compile(r'-?\(|\)|-?"[^"]*"|[^\s()]+')


class QueryError(ValueError):
    pass


class _Parser:
    def __init__(self, sb: Sandbox, query: str) -> None:
        self.sb, self.tokens, self.pos = sb, _TOKEN.findall(query), 0
        self.tags: set[str] = set()
        self.positive = False

    def parse(self) -> Predicate:
        predicate = self._or()
        if self.pos != len(self.tokens):
            raise QueryError(f"unexpected '{self.tokens[self.pos]}'")
        if not self.positive:
            raise QueryError("a query needs at least one term that is not negated")
        return predicate

    def _or(self) -> Predicate:
        branches = [self._and()]
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "OR":
            self.pos += 1
            branches.append(self._and())
        return branches[0] if len(branches) == 1 else (lambda p: any(b(p) for b in branches))

    def _and(self) -> Predicate:
        terms: list[Predicate] = []
        while self.pos < len(self.tokens) and self.tokens[self.pos] not in (")", "OR"):
            terms.append(self._unary())
        if not terms:
            raise QueryError("empty group or dangling OR")
        return terms[0] if len(terms) == 1 else (lambda p: all(t(p) for t in terms))

    def _unary(self) -> Predicate:
        token = self.tokens[self.pos]
        self.pos += 1
        negated = token.startswith("-") and len(token) > 1
        token = token[1:] if negated else token
        if token == "(":
            inner = self._or()
            if self.pos >= len(self.tokens) or self.tokens[self.pos] != ")":
                raise QueryError("missing )")
            self.pos += 1
            term = inner
        else:
            term = self._atom(token, negated)
        if negated:
            return lambda p: not term(p)
        self.positive = True
        return term

    def _atom(self, token: str, negated: bool) -> Predicate:
        lowered = token.lower()
        if lowered.startswith('"'):
            phrase = lowered.strip('"')
            return lambda p: phrase in p.text.lower()
        if lowered.startswith("#") and len(lowered) > 1:
            tag = lowered[1:]
            if not negated:
                self.tags.add(tag)
            return lambda p: tag in p.tags
        if lowered.startswith("@") and len(lowered) > 1:
            return lambda p: lowered in p.text.lower()
        operator, colon, value = lowered.partition(":")
        if colon and operator.isalpha():
            return self._operator(operator, value, token)
        return lambda p: lowered in re.findall(r"\w+", p.text.lower())

    def _operator(self, operator: str, value: str, token: str) -> Predicate:
        author = self.sb.x_author
        simple: dict[str, Predicate] = {
            "is:retweet": lambda p: p.retweet_of is not None,
            "is:reply": lambda p: p.in_reply_to is not None,
            "is:quote": _never,  # the sandbox has no quote posts
            "has:media": lambda p: bool(p.media_ids),
            "has:hashtags": lambda p: bool(p.tags),
            "has:links": lambda p: "http://" in p.text or "https://" in p.text,
        }
        if f"{operator}:{value}" in simple:
            return simple[f"{operator}:{value}"]
        if operator == "from":
            return lambda p: value in (p.account_id, author(p.account_id).username.lower())
        if operator == "to":
            return lambda p: (
                p.in_reply_to_user is not None
                and value in (p.in_reply_to_user, author(p.in_reply_to_user).username.lower())
            )
        if operator == "lang":
            return _always if value == "en" else _never  # every sandbox post is in English
        raise QueryError(f"Reference to invalid operator '{token}'")


def _always(_post: Post) -> bool:
    return True


def _never(_post: Post) -> bool:
    return False


def candidates(sb: Sandbox, tags: set[str]) -> list[Post]:
    """Our X posts and the simulated chatter of the query's (or every live) hashtag in the window."""
    now = sb.now()
    start = now - SEARCH_WINDOW
    own = [
        p
        for p in sb.store.posts.values()
        if p.platform == "x" and p.created_at >= start and p.visible_at(now)
    ]
    live = sb.store.tag_first_use
    chosen = tags & live.keys() if tags else live.keys()
    simulated = [p for tag in sorted(chosen) for p in sb.chatter.posts(tag, live[tag], start, now)]
    return sorted({p.id: p for p in own + simulated}.values(), key=lambda p: int(p.id), reverse=True)


async def search_recent(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    principal = await sb.x_auth.reader(request)
    sb.x_limit(request, "GET /2/tweets/search/recent", principal)
    sb.credits.check()
    query = request.query
    fields = parse_fields(query)
    text = query.get("query", "")
    if not text or len(text) > MAX_QUERY:
        raise x_invalid_request(f"The `query` query parameter must be 1 to {MAX_QUERY} characters.", "query")
    parser = _Parser(sb, text)
    try:
        predicate = parser.parse()
    except QueryError as e:
        raise _query_error(str(e)) from None
    size = bounded_int(query, "max_results", 10, 10, 100)
    posts = [p for p in candidates(sb, parser.tags) if predicate(p)]
    posts = window(posts, query)
    token = query.get("next_token") or query.get("pagination_token")
    return x_json(charged(sb, paginate(sb, request, posts, size, token, fields, "next_token")))


def _query_error(message: str) -> PlatformError:
    return x_invalid_request(f"There were errors processing your request: {message}", "query")


def routes() -> list[web.RouteDef]:
    return [web.get("/2/tweets/search/recent", search_recent)]
