"""The HTTP seam under both client libraries: timeouts, host rewriting, rate-limit headers, redaction.

tweepy and facebook-sdk both send through a ``requests.Session`` we hand them. Neither applies a
timeout by default (a stalled connection would block a worker forever) and both have their host
hardcoded, so one mounted adapter does both jobs: it gives every request our timeout and, when the
account's base URL is not the library's host (the sandbox, ``api.x.com``), rewrites the URL.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from campaigns.platforms.base import RateLimitStatus


class RoutingAdapter(HTTPAdapter):
    """Applies a default timeout to every request and sends it to ``base_url``'s scheme and host."""

    def __init__(self, base_url: str, *, timeout: float, pool_maxsize: int = 10) -> None:
        super().__init__(pool_maxsize=pool_maxsize)
        self._base = urlsplit(base_url)
        self._timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if request.url is not None:
            url = urlsplit(request.url)
            request.url = urlunsplit(
                (self._base.scheme, self._base.netloc, url.path, url.query, url.fragment)
            )
        kwargs["timeout"] = kwargs.get("timeout") or self._timeout
        return super().send(request, **kwargs)


class ResponseLog:
    """What the adapter keeps from responses: rate-limit headers per route, and the last answer.

    The last answer (status, headers) is kept per thread: one adapter serves every task of a
    threads-pool worker, and an error must be explained by the answer to its own request (a 429's
    reset time read from another thread's answer would hold the account for the wrong time).
    """

    def __init__(self) -> None:
        self._limits: dict[str, RateLimitStatus] = {}
        self._lock = threading.Lock()
        self._last = threading.local()

    @property
    def last_status(self) -> int | None:
        status: int | None = getattr(self._last, "status", None)
        return status

    @property
    def last_headers(self) -> Mapping[str, str] | None:
        headers: Mapping[str, str] | None = getattr(self._last, "headers", None)
        return headers

    def record(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A ``requests`` response hook (it runs in the thread that sent the request)."""
        self._last.status, self._last.headers = response.status_code, response.headers
        status = rate_limit_from_headers(response.headers)
        if status is not None and response.request.method and response.request.path_url:
            key = route_key(response.request.method, response.request.path_url)
            with self._lock:
                self._limits[key] = status

    def rate_limit(self, method: str, route: str) -> RateLimitStatus | None:
        with self._lock:
            return self._limits.get(route_key(method, route))


def route_key(method: str, path: str) -> str:
    """``POST /2/tweets``; ids become ``:id`` so that one route's calls share a key."""
    path = path.split("?", 1)[0]
    path = re.sub(r"/\d+(?:_\d+)?(?=/|$)", "/:id", path)
    return f"{method.upper()} {path}"


def rate_limit_from_headers(headers: Mapping[str, str]) -> RateLimitStatus | None:
    """X's ``x-rate-limit-*`` headers (on every reply, 429s included), or None if absent."""
    limit, remaining, reset = (headers.get(f"x-rate-limit-{k}") for k in ("limit", "remaining", "reset"))
    if limit is None and remaining is None and reset is None:
        return None
    reset_at = datetime.fromtimestamp(int(reset), UTC) if reset and reset.isdigit() else None
    return RateLimitStatus(
        limit=int(limit) if limit and limit.isdigit() else None,
        remaining=int(remaining) if remaining and remaining.isdigit() else None,
        reset_at=reset_at,
    )


def route_session(
    session: requests.Session, library_host: str, base_url: str, *, timeout: float, local: bool = False
) -> ResponseLog:
    """Give ``session`` (a library's, whose hardcoded host is ``library_host``) our timeout and route
    it to ``base_url``; returns the log its responses are recorded in.

    ``local``: the sandbox; ignore proxy variables, which requests would pick for the real host.
    """
    session.trust_env = not local
    session.mount(f"{library_host}/", RoutingAdapter(base_url, timeout=timeout))
    log = ResponseLog()
    session.hooks["response"].append(log.record)
    return log


def never_sent(error: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (refused, DNS failure, connect timeout).

    Anything else (read timeout, connection dropped mid-exchange) may have been processed there.
    """
    if isinstance(error, requests.ConnectTimeout):
        return True
    # requests.ConnectionError(urllib3 MaxRetryError(reason=...)); NewConnectionError (refused) and
    # NameResolutionError are ConnectTimeoutError subclasses in urllib3 2.
    cause = error.args[0] if error.args else None
    return isinstance(getattr(cause, "reason", cause), ConnectTimeoutError)


def describe_network_error(error: requests.RequestException) -> str:
    """One line, no URL (a Graph URL can carry the access token in its query)."""
    if isinstance(error, requests.Timeout):
        return "timed out waiting for the platform"
    if never_sent(error):
        return "cannot connect to the platform"
    return "connection lost before the platform answered"


# --- keeping credentials out of logs --------------------------------------------------------------
# tweepy logs request headers (the bearer token), oauthlib logs the signature base string (the
# access token), urllib3 logs URLs (the Graph access_token query parameter). These filters scrub
# every registered secret, in its raw and URL-encoded forms, from those loggers' records.

_LEAKY_LOGGERS = (
    "tweepy.client",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "urllib3.connectionpool",
)
_TOKEN_PARAM = re.compile(r"(access_token=|appsecret_proof=|Bearer\s+)[^&\s'\"]+")


class RedactSecrets(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            if len(secret) >= 4:  # a tiny value would redact ordinary words
                once = quote(secret, safe="")
                self._secrets.update({secret, once, quote(once, safe="")})

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: logging reports it, we must not crash
            return True
        for secret in sorted(self._secrets, key=len, reverse=True):
            message = message.replace(secret, "***")
        record.msg, record.args = _TOKEN_PARAM.sub(r"\1***", message), ()
        return True


_redactor = RedactSecrets()
for _name in _LEAKY_LOGGERS:
    logging.getLogger(_name).addFilter(_redactor)


def redact_in_logs(secrets: Iterable[str]) -> None:
    """Make sure these values never appear in the libraries' log records."""
    _redactor.add(secrets)
