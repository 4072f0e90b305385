"""Platform answers the sandbox does not produce (usage caps, 402, proxy error pages, headerless
replies), served by a tiny local HTTP server to the real client libraries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from campaigns.account_config import Channel, sandbox_account
from campaigns.platforms import (
    CredentialsRejected,
    OutcomeUnknown,
    Platform,
    QuotaExhausted,
    RateLimited,
    RejectedPost,
    TransientError,
    platform_for,
)

Answer = tuple[int, dict[str, str], bytes]


class OneAnswer(ThreadingHTTPServer):
    """Answers every request with ``answer``."""

    answer: Answer = (200, {}, b"")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: OneAnswer

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, headers, body = self.server.answer
        self.send_response_only(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[OneAnswer]:
    httpd = OneAnswer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def answering(server: OneAnswer, channel: Channel, status: int, body: object, **headers: str) -> Platform:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    server.answer = (status, {"Content-Type": "application/json", **headers}, raw)
    return platform_for(sandbox_account(channel, "default", sandbox_url=server.url), timeout=5)


def test_it_maps_an_x_usage_cap_to_quota_exhausted_not_a_rate_limit(server: OneAnswer) -> None:
    body = {
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
        "period": "Monthly",
        "scope": "Product",
    }
    with pytest.raises(QuotaExhausted, match="Monthly product cap"):
        answering(server, "twitter", 429, body, **{"x-rate-limit-reset": "1900000000"}).publish("Day 1")


def test_it_maps_x_credits_depleted_to_quota_exhausted(server: OneAnswer) -> None:
    body = {"title": "CreditsDepleted", "detail": "Your account has no credits.", "type": "about:blank"}
    with pytest.raises(QuotaExhausted, match="HTTP 402"):
        answering(server, "twitter", 402, body).publish("Day 1")


def test_it_waits_fifteen_minutes_on_an_x_429_without_reset_header(server: OneAnswer) -> None:
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as raised:
        answering(
            server, "twitter", 429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
        ).check()
    assert (
        before + timedelta(minutes=15) <= raised.value.reset_at <= datetime.now(UTC) + timedelta(minutes=15)
    )


def test_it_maps_an_x_app_permission_problem_to_credentials_rejected(server: OneAnswer) -> None:
    body = {
        "title": "Unsupported Authentication",
        "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.",
        "type": "https://api.x.com/2/problems/unsupported-authentication",
        "status": 403,
    }
    with pytest.raises(CredentialsRejected, match="HTTP 403"):
        answering(server, "twitter", 403, body).publish("Day 1")


def test_it_maps_a_proxy_error_page_on_a_graph_create_to_outcome_unknown(server: OneAnswer) -> None:
    page = b"<html><body>502 Bad Gateway</body></html>"
    fb = answering(server, "facebook", 502, page, **{"Content-Type": "text/html"})
    with pytest.raises(OutcomeUnknown, match="HTTP 502"):
        fb.publish("Day 1")
    with pytest.raises(TransientError) as raised:
        fb.check()
    assert not isinstance(raised.value, OutcomeUnknown)


def test_it_survives_a_graph_answer_without_content_type(server: OneAnswer) -> None:
    server.answer = (200, {}, b'{"id": "1"}')
    fb = platform_for(sandbox_account("facebook", "default", sandbox_url=server.url), timeout=5)
    with pytest.raises(TransientError, match="without a content type"):
        fb.check()


@pytest.mark.parametrize(
    ("code", "expected"),
    [(10, CredentialsRejected), (200, CredentialsRejected), (368, RejectedPost), (100, RejectedPost)],
)
def test_it_maps_graph_error_codes(server: OneAnswer, code: int, expected: type[Exception]) -> None:
    body = {"error": {"message": f"(#{code}) something", "type": "OAuthException", "code": code}}
    with pytest.raises(expected, match=f"code {code}"):
        answering(server, "facebook", 400, body).publish("Day 1")


def test_it_waits_a_default_time_on_a_graph_rate_limit_without_usage_header(server: OneAnswer) -> None:
    body = {"error": {"message": "(#80001) Too many calls", "type": "OAuthException", "code": 80001}}
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as raised:
        answering(server, "facebook", 400, body).publish("Day 1")
    assert raised.value.reset_at >= before + timedelta(minutes=10)
