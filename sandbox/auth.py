"""Credentials as the platforms check them.

X: OAuth 1.0a (HMAC-SHA1) user context, verified over ``https://api.twitter.com`` + path + query,
the URL the client signed before our adapter rewrote the host; or an app bearer token for reads.
Graph: a Page access token as the ``access_token`` query or form field (or an ``Authorization``
header). Revocation is a fault (see ``faults.py``), so tests can turn it on and off.
"""

from __future__ import annotations

import base64
import hmac
import re
import time
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote

from aiohttp import web

from sandbox.errors import graph_bad_token, graph_no_token, x_unauthorized, x_unsupported_authentication
from sandbox.model import FbPage, XAccount
from sandbox.store import Store

SIGNED_HOST = "https://api.twitter.com"
TIMESTAMP_TOLERANCE = 900  # seconds of skew from real time accepted, as X does (about 15 minutes)
_OAUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
_FORM = "application/x-www-form-urlencoded"


_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]*")


def _enc(value: str) -> str:
    """RFC 5849 percent-encoding; most OAuth values need none (a hot path: keep it cheap)."""
    return value if _UNRESERVED.fullmatch(value) else quote(value, safe="~")


def parse_oauth_header(header: str) -> dict[str, str] | None:
    """The parameters of an ``Authorization: OAuth k="v", ...`` header, decoded."""
    if not header.startswith("OAuth "):
        return None
    return {k: unquote(v) if "%" in v else v for k, v in _OAUTH_PARAM.findall(header)}


def signature_base_string(method: str, path: str, params: list[tuple[str, str]]) -> str:
    """RFC 5849 section 3.4.1, over the real host's URL."""
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in params))
    # Encoded names and values hold only unreserved characters and %XX, so encoding the joined
    # string again only has three characters to escape (much cheaper than urllib's quote).
    encoded = normalized.replace("%", "%25").replace("=", "%3D").replace("&", "%26")
    return f"{method.upper()}&{_base_uri(path)}&{encoded}"


@lru_cache(maxsize=4096)
def _base_uri(path: str) -> str:
    return _enc(SIGNED_HOST + path)


def hmac_sha1(base_string: str, consumer_secret: str, token_secret: str) -> str:
    digest = hmac.digest(_signing_key(consumer_secret, token_secret), base_string.encode(), "sha1")
    return base64.b64encode(digest).decode()


@lru_cache(maxsize=1024)
def _signing_key(consumer_secret: str, token_secret: str) -> bytes:
    return f"{_enc(consumer_secret)}&{_enc(token_secret)}".encode()


class XAuthenticator:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._nonces: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    def token_owner(self, request: web.Request) -> XAccount | None:
        """Who the request claims to be, unverified (to scope faults cheaply)."""
        params = parse_oauth_header(request.headers.get("Authorization", ""))
        return self.store.x_by_token.get(params.get("oauth_token", "")) if params else None

    async def user(self, request: web.Request) -> XAccount:
        """The user of an OAuth 1.0a signed request; 401 if the signature or a credential is wrong,
        403 for an app-only bearer token (as X answers on user-context routes)."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            if header[7:] in self.store.bearer_tokens:
                raise x_unsupported_authentication()
            raise x_unauthorized()
        account = await self._verify_oauth1(request, header)
        if account is None:
            raise x_unauthorized()
        return account

    async def reader(self, request: web.Request) -> str:
        """A principal for reads: the user's id (OAuth 1.0a) or ``app`` (bearer token)."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            if header[7:] in self.store.bearer_tokens:
                return "app"
            raise x_unauthorized()
        account = await self._verify_oauth1(request, header)
        if account is None:
            raise x_unauthorized()
        return account.id

    async def _verify_oauth1(self, request: web.Request, header: str) -> XAccount | None:
        oauth = parse_oauth_header(header)
        if not oauth or oauth.get("oauth_signature_method") != "HMAC-SHA1":
            return None
        consumer_secret = self.store.apps.get(oauth.get("oauth_consumer_key", ""))
        account = self.store.x_by_token.get(oauth.get("oauth_token", ""))
        signature = oauth.pop("oauth_signature", "")
        if consumer_secret is None or account is None or not self._fresh(oauth):
            return None
        oauth.pop("realm", None)
        params = list(oauth.items())
        if request.query_string:
            params += parse_qsl(request.query_string, keep_blank_values=True)
        if request.headers.get("Content-Type", "").startswith(_FORM):  # post() is cached: safe to call twice
            params += [(k, v) for k, v in (await request.post()).items() if isinstance(v, str)]
        base = signature_base_string(request.method, request.path, params)
        expected = hmac_sha1(base, consumer_secret, account.access_token_secret)
        if not hmac.compare_digest(expected, signature):
            return None
        self._remember_nonce(oauth)
        return account

    def _fresh(self, oauth: dict[str, str]) -> bool:
        """Timestamp within tolerance of real time and nonce not seen before (replays are refused)."""
        try:
            skew = abs(int(oauth.get("oauth_timestamp", "")) - time.time())
        except ValueError:
            return False
        key = _nonce_key(oauth)
        return skew <= TIMESTAMP_TOLERANCE and bool(key[1]) and key not in self._nonces

    def _remember_nonce(self, oauth: dict[str, str]) -> None:
        self._nonces[_nonce_key(oauth)] = None
        if len(self._nonces) > 500_000:  # bounded memory; older nonces are past the timestamp window anyway
            self._nonces.popitem(last=False)


def _nonce_key(oauth: dict[str, str]) -> tuple[str, str, str]:
    return (oauth.get("oauth_token", ""), oauth.get("oauth_nonce", ""), oauth.get("oauth_timestamp", ""))


def graph_token(request: web.Request, form: dict[str, str]) -> str | None:
    token = request.query.get("access_token") or form.get("access_token")
    if token:
        return token
    header = request.headers.get("Authorization", "")
    for scheme in ("OAuth ", "Bearer "):
        if header.startswith(scheme):
            return header[len(scheme) :]
    return None


def graph_page(store: Store, token: str | None) -> FbPage:
    """The Page whose access token this is; the Graph API's own error otherwise."""
    if not token:
        raise graph_no_token()
    page = store.pages_by_token.get(token)
    if page is None:
        raise graph_bad_token()
    return page
