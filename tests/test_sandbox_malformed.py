"""Malformed requests to the sandbox: a clear 4xx in the platform's shape, never a stack trace or a file."""

from __future__ import annotations

import socket

import pytest
import requests

from campaigns import demo_accounts
from sandbox.testing import SandboxHandle

BEARER = {"Authorization": f"Bearer {demo_accounts.X_BEARER_TOKEN}"}


def _clear_4xx(response: requests.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_an_oversized_body_is_refused(sandbox: SandboxHandle):
    response = requests.post(
        f"{sandbox.url}/_sandbox/accounts",
        data=b"x" * (33 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    _clear_4xx(response)
    assert response.status_code == 413


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[]", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_a_400(sandbox: SandboxHandle, body: bytes):
    response = requests.post(
        f"{sandbox.url}/_sandbox/clock", data=body, headers={"Content-Type": "application/json"}, timeout=5
    )
    _clear_4xx(response)
    assert response.status_code == 400 and response.json()["error"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/_sandbox/clock"), ("PATCH", "/_sandbox/accounts"), ("DELETE", "/_sandbox/credits")],
)
def test_a_wrong_method_on_the_admin_api_is_405(sandbox: SandboxHandle, method: str, path: str):
    response = requests.request(method, sandbox.url + path, json={"advance": 3600}, timeout=5)
    _clear_4xx(response)
    assert response.status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/2/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/v23.0/..%2F..%2Fetc%2Fpasswd",
        "/_sandbox/media/..%2F..%2Fapp.py",
    ],
)
def test_a_path_traversal_serves_no_file(sandbox: SandboxHandle, path: str):
    response = requests.get(sandbox.url + path, headers=BEARER, timeout=5)
    _clear_4xx(response)
    assert "root:" not in response.text and "import" not in response.text


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /2/users/me HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"POST /2/tweets HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"GET /2/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"A" * 20_000 + b"\r\n\r\n",
    ],
)
def test_a_malformed_request_is_a_400_without_a_trace(sandbox: SandboxHandle, request_bytes: bytes):
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as raw:
        raw.sendall(request_bytes)
        answer = raw.recv(4096)
    assert answer.startswith((b"HTTP/1.0 400", b"HTTP/1.1 400")), answer[:80]
    assert b"Traceback" not in answer
