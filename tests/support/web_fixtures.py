"""Dashboard fixtures (a pytest plugin, listed in ``tests/conftest.py``): an app over the test database
with a settable clock, users, and a logged-in HTTP client."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from campaigns.store.db import session_scope
from campaigns.web.app import create_app
from campaigns.web.framework import WebConfig
from campaigns.web.users import add_user

ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"
WEB_NOW = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = WEB_NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Web:
    engine: Engine
    config: WebConfig
    clock: Clock
    checked_accounts: list[tuple[str, str]] = field(default_factory=list)
    account_works: bool = True
    mailed: list[EmailMessage] = field(default_factory=list)  # what the dashboard handed to "SMTP"

    def app_client(self, base_url: str = ORIGIN) -> TestClient:
        def check(_settings: object, platform: str, account: str) -> str | None:
            self.checked_accounts.append((platform, account))
            return None if self.account_works else "auth: invalid token"

        app = create_app(self.config, account_check=check, report_send=self.mailed.append)  # type: ignore[arg-type]
        return TestClient(app, base_url=base_url, follow_redirects=False)

    def user(self, name: str, role: str, password: str = PASSWORD) -> None:
        with session_scope(self.engine) as session:
            add_user(session, name=name, role=role, password=password, now=self.clock.now)

    def client(self, role: str = "editor", name: str | None = None) -> TestClient:
        """A client logged in as a new user of ``role``."""
        name = name or f"{role}-user"
        self.user(name, role)
        client = self.app_client()
        response = login(client, name, PASSWORD)
        assert response.status_code == 303, response.text
        return client


def login(client: TestClient, name: str, password: str, **headers: str) -> object:
    return client.post(
        "/login",
        data={"name": name, "password": password, "next": "/"},
        headers={"Origin": ORIGIN, **headers},
    )


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str] | None = None, **headers: str) -> object:
    """POST as the browser would from one of our pages: same Origin, the page's CSRF token."""
    token = csrf_of(client.get("/attention").text)
    return client.post(
        path, data={"csrf_token": token, **(data or {})}, headers={"Origin": ORIGIN, **headers}
    )


@pytest.fixture
def web(engine: Engine, tmp_path: Path) -> Iterator[Web]:
    specs = tmp_path / "specs"
    specs.mkdir()
    clock = Clock()
    config = WebConfig(engine=engine, specs_dir=specs, data_dir=tmp_path / "data", now=clock)
    yield Web(engine=engine, config=config, clock=clock)


def png_chart(values: list[int], *, height: int = 60, bar: int = 12) -> bytes:
    """A small bar chart as a real PNG (no imaging library needed): for report archive fixtures."""
    width = bar * len(values)
    top = max(values) or 1
    rows = []
    for y in range(height):
        row = bytearray([0])
        for value in values:
            filled = height - y <= value * height // top
            row += bytes((11, 87, 164) if filled else (255, 255, 255)) * (bar - 2) + b"\xff\xff\xff" * 2
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def write_report(data_dir: Path, campaign: str, week: str) -> Path:
    folder = data_dir / "reports" / campaign / week
    folder.mkdir(parents=True)
    (folder / "report.html").write_text(
        f"<h1>{campaign} {week}</h1><p>Impressions 1234</p>", encoding="utf-8"
    )
    (folder / "engagement.png").write_bytes(png_chart([3, 7, 4, 9, 6]))
    (folder / "report.csv").write_text("day,impressions\n1,300\n2,700\n", encoding="utf-8")
    (folder / "report.json").write_text('{"impressions": 1234}', encoding="utf-8")
    return folder
