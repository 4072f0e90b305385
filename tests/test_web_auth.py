"""The dashboard's doors: login, sessions, CSRF and Origin checks, roles, the throttle, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from campaigns.store.db import session_scope
from campaigns.store.models import Campaign
from campaigns.store.web_models import AuditEntry, WebSession
from campaigns.web.app import ROUTES
from campaigns.web.sessions import COOKIE, token_hash
from campaigns.web.users import revoke_sessions, set_password
from tests.support.db_fixtures import add_campaign, add_post
from tests.support.web_fixtures import ORIGIN, PASSWORD, Web, csrf_of, login, post_form

EXAMPLE = {"post_id": "ssw-week:d1p1:twitter", "number": "0", "platform": "twitter", "account": "default",
           "campaign": "ssw-week", "week": "2027-W14", "name": "report.html", "delivery_id": "1"}  # fmt: skip


def _routes() -> list[tuple[str, str]]:
    found = []
    for route in ROUTES:
        path = getattr(route, "path", "")
        if path in ("/login",) or path.startswith("/static"):
            continue
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                found.append(
                    (
                        method,
                        path.replace("{number:int}", "{number}")
                        .replace("{delivery_id:int}", "{delivery_id}")
                        .format(**EXAMPLE),
                    )
                )
    return found


@pytest.mark.parametrize(("method", "path"), _routes())
def test_every_route_sends_a_visitor_without_a_session_to_the_login(web: Web, method: str, path: str):
    client = web.app_client()
    response = client.request(method, path, headers={"Origin": ORIGIN}, data={"csrf_token": "x"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_the_login_page_opens_and_a_right_password_gives_an_httponly_lax_cookie(web: Web):
    web.user("ana", "viewer")
    client = web.app_client()
    assert 'name="password"' in client.get("/login").text
    response = login(client, "ana", PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP (localhost): a Secure cookie would never come back
    assert client.get("/calendar").status_code == 200


def test_behind_https_the_cookie_is_secure(web: Web):
    web.user("ana", "viewer")
    client = web.app_client(base_url="https://dash.example")
    response = login(client, "ana", PASSWORD, Origin="https://dash.example")
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_a_wrong_password_is_refused_and_recorded(web: Web):
    web.user("ana", "viewer")
    response = login(web.app_client(), "ana", "wrong password!")
    assert response.status_code == 401
    assert "Wrong name or password" in response.text


def test_wrong_passwords_are_throttled_per_account_even_with_the_right_one_after(web: Web):
    web.user("ana", "viewer")
    client = web.app_client()
    for _ in range(5):
        assert login(client, "ana", "wrong password!").status_code == 401
    refused = login(client, "ana", PASSWORD)
    assert refused.status_code == 429
    assert "too many failed logins" in refused.text.lower()
    web.clock.now += timedelta(minutes=16)  # the failures age out of the window
    assert login(client, "ana", PASSWORD).status_code == 303


def test_one_address_guessing_many_names_is_throttled(web: Web):
    web.user("ana", "viewer")
    client = web.app_client()
    for n in range(20):
        assert login(client, f"guess-{n}", "wrong password!").status_code == 401
    assert login(client, "ana", PASSWORD).status_code == 429


def test_a_login_rotates_the_session_and_ends_the_one_the_browser_had(web: Web):
    web.user("ana", "viewer")
    client = web.app_client()
    login(client, "ana", PASSWORD)
    first = client.cookies[COOKIE]
    login(client, "ana", PASSWORD)
    second = client.cookies[COOKIE]
    assert first != second
    with Session(web.engine) as session:
        old = session.get(WebSession, token_hash(first))
        assert old is not None and old.revoked_at is not None


@pytest.mark.parametrize("how", ["revoke", "passwd", "logout", "expiry"])
def test_an_ended_session_is_refused_at_once(web: Web, how: str):
    client = web.client("viewer", name="ana")
    assert client.get("/calendar").status_code == 200
    if how == "revoke":
        with session_scope(web.engine) as session:
            revoke_sessions(session, name="ana", now=web.clock.now)
    elif how == "passwd":
        with session_scope(web.engine) as session:
            set_password(session, name="ana", password="another long one", now=web.clock.now)
    elif how == "logout":
        token = csrf_of(client.get("/calendar").text)
        assert (
            client.post("/logout", data={"csrf_token": token}, headers={"Origin": ORIGIN}).status_code == 303
        )
    else:
        web.clock.now += timedelta(hours=12, seconds=1)
    response = client.get("/calendar")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def _paused(web: Web) -> bool:
    with Session(web.engine) as session:
        campaign = session.get(Campaign, "ssw-week")
        assert campaign is not None
        return campaign.operator_paused


PAUSE = {"action": "pause", "campaign": "ssw-week", "confirm": "yes"}


def test_a_state_change_without_the_csrf_token_is_refused(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
    client = web.client("editor")
    for token in ({}, {"csrf_token": "forged"}):
        response = client.post("/pause", data={**PAUSE, **token}, headers={"Origin": ORIGIN})
        assert response.status_code == 403
    assert not _paused(web)
    assert post_form(client, "/pause", PAUSE).status_code == 303
    assert _paused(web)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": ORIGIN, "Sec-Fetch-Site": "same-site"},
        {},  # neither header: refused too
    ],
)
def test_a_state_change_from_another_origin_is_refused_even_with_the_token(web: Web, headers: dict[str, str]):
    with Session(web.engine) as session:
        add_campaign(session)
    client = web.client("editor")
    token = csrf_of(client.get("/campaigns").text)
    response = client.post("/pause", data={**PAUSE, "csrf_token": token}, headers=headers)
    assert response.status_code == 403
    assert not _paused(web)


def test_a_login_from_another_origin_is_refused(web: Web):
    web.user("ana", "viewer")
    response = login(web.app_client(), "ana", PASSWORD, Origin="http://evil.example")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/pause", PAUSE),
        ("/posts/ssw-week:d1p1:twitter/retry", {}),
        ("/specs/apply", {}),
        ("/accounts/twitter/default/release", {}),
    ],
)
def test_a_viewer_gets_403_on_editor_actions(web: Web, path: str, data: dict[str, str]):
    with Session(web.engine) as session:
        add_campaign(session)
        add_post(session, status="failed", status_reason="403 duplicate content")
    client = web.client("viewer")
    response = post_form(client, path, data)
    assert response.status_code == 403
    assert "cannot do this" in response.text
    assert not _paused(web)
    assert web.checked_accounts == []
    assert client.get("/pause?action=pause").status_code == 403
    assert client.get("/audit").status_code == 403


def test_every_action_leaves_an_audit_line_and_only_admins_read_it(web: Web):
    with Session(web.engine) as session:
        add_campaign(session)
    editor = web.client("editor", name="ed")
    post_form(editor, "/pause", PAUSE)
    post_form(editor, "/pause", {**PAUSE, "action": "resume"})
    with Session(web.engine) as session:
        lines = [
            (e.actor, e.action, e.target) for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert lines == [("ed", "login", None), ("ed", "pause", "ssw-week"), ("ed", "resume", "ssw-week")]
    admin = web.client("admin", name="root")
    page = admin.get("/audit").text
    assert "pause" in page and "ed" in page


def test_no_token_or_password_hash_is_ever_rendered(web: Web):
    client = web.client("admin", name="root")
    token = client.cookies[COOKIE]
    with Session(web.engine) as session:
        from campaigns.web.users import get_user

        user = get_user(session, "root")
        assert user is not None
        hashed = user.password_hash
    for path in (
        "/calendar",
        "/attention",
        "/campaigns",
        "/specs",
        "/reports",
        "/engagement",
        "/health",
        "/audit",
    ):
        page = client.get(path).text
        assert token not in page and hashed not in page and PASSWORD not in page


def test_pages_carry_security_headers(web: Web):
    response = web.client("viewer").get("/calendar")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_the_login_never_redirects_to_another_site(web: Web, target: str):
    web.user("ana", "viewer")
    client = web.app_client()
    response = client.post(
        "/login", data={"name": "ana", "password": PASSWORD, "next": target}, headers={"Origin": ORIGIN}
    )
    assert response.headers["location"] == "/"
