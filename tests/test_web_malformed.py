"""Malformed requests to the dashboard: a clear 4xx, never a stack trace, never a file from elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.web.sessions import COOKIE
from tests.support.web_fixtures import ORIGIN, Web


def _plain(response) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, response.status_code
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_an_oversized_body_is_refused_before_it_is_read(web: Web):
    client = web.app_client()
    body = "name=a&password=" + "x" * (2 * 1024 * 1024)
    response = client.post(
        "/login",
        content=body,
        headers={"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"},
    )
    _plain(response)
    assert response.status_code == 413


def test_a_body_that_does_not_say_its_length_is_refused(web: Web):
    client = web.app_client()
    chunks = iter([b"name=a&", b"password=b"])
    response = client.post(
        "/login",
        content=chunks,
        headers={"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"},
    )
    _plain(response)
    assert response.status_code == 411


@pytest.mark.parametrize(
    "cookie", ["", "x" * 4000, "not-a-token", "\u00e9t\u00e9", "a;b=c", "' OR 1=1 --", "%00%ff"]
)
def test_a_bad_session_cookie_leads_to_the_login_page(web: Web, cookie: str):
    client = web.app_client()
    response = client.get("/calendar", headers={"Cookie": f"{COOKIE}={cookie}".encode()})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/logout"),
        ("PUT", "/login"),
        ("DELETE", "/posts/x"),
        ("PATCH", "/specs/apply"),
        ("GET", "/pause?x"),
    ],
)
def test_a_wrong_method_is_405(web: Web, method: str, path: str):
    client = web.client("admin")
    response = client.request(method, path, headers={"Origin": ORIGIN})
    if path.startswith("/pause"):  # GET /pause is the confirmation page: the right method
        assert response.status_code != 405
        return
    _plain(response)
    assert response.status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/static/../campaigns/web/app.py",
        "/static/..%2F..%2Fapp.py",
        "/static/%2e%2e/%2e%2e/framework.py",
        "/reports/..%2F..%2F..%2Fetc/2027-W14/passwd",
        "/reports/ssw-week/2027-W14/..%2F..%2F..%2Fcampaigns.db/view",
        "/posts/..%2F..%2Fetc%2Fpasswd/image/0",
        "/posts/x/image/-1",
    ],
)
def test_a_path_from_outside_its_folder_is_never_served(web: Web, tmp_path: Path, path: str):
    (web.config.data_dir).mkdir(parents=True, exist_ok=True)
    (web.config.data_dir / "campaigns.db").write_text("SECRET-DATABASE")
    client = web.client("viewer")
    response = client.get(path)
    _plain(response)
    assert "SECRET-DATABASE" not in response.text and "create_app" not in response.text
