"""Malformed requests to the sandbox: a clear 4xx in the platform's shape, never a stack trace or a file."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from campaigns import demo_accounts
from sandbox.testing import SandboxHandle
from tests.support.service_processes import free_port, wait_for

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


TOKEN = "SENTINEL-hdr-5b1d"
UNPARSABLE = {
    "an oversized header value": f"GET /2/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN * 800}\r\n\r\n",
    "an oversized header name": f"GET /2/users/me HTTP/1.1\r\nHost: x\r\nX-{TOKEN * 800}: 1\r\n\r\n",
    "an oversized request line": f"GET /v23.0/me?access_token={TOKEN * 800} HTTP/1.1\r\nHost: x\r\n\r\n",
    "a bad header name": f"GET /2/users/me HTTP/1.1\r\nHost: x\r\nAuth\x01orization: Bearer {TOKEN}\r\n\r\n",
}


def _send_raw(host: str, port: int, request: str) -> bytes:
    with socket.create_connection((host, port), timeout=5) as raw:
        raw.sendall(request.encode())
        return raw.recv(65536)


@pytest.mark.parametrize("request_text", UNPARSABLE.values(), ids=UNPARSABLE.keys())
def test_an_unparsable_request_is_refused_without_echoing_it(
    sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture, request_text: str
):
    caplog.set_level(logging.DEBUG)

    answer = _send_raw(sandbox.host, sandbox.port, request_text)

    assert answer.startswith((b"HTTP/1.0 400", b"HTTP/1.1 400")), answer[:80]
    assert TOKEN.encode() not in answer and b"the request could not be parsed" in answer
    assert TOKEN not in caplog.text and "Traceback" not in caplog.text


def test_the_sandbox_command_refuses_an_unparsable_request_without_echoing_it(tmp_path: Path):
    port = free_port()
    log = tmp_path / "sandbox.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for("the sandbox", lambda: _answers(port), timeout=60, output=lambda: log.read_text())
        answer = _send_raw("127.0.0.1", port, UNPARSABLE["an oversized header value"])
    finally:
        server.terminate()
        code = server.wait(timeout=30)
    output = log.read_text()
    assert answer.startswith(b"HTTP/1.0 400") and TOKEN.encode() not in answer, answer[:200]
    assert TOKEN not in output and "Traceback" not in output, output
    assert code == 0, output


def _answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/_sandbox/clock", timeout=2).ok
    except requests.ConnectionError:
        return False
