"""Sentinel credentials for a run, and the search for them afterwards (issue 14, "Secrets").

``sentinel_accounts`` gives every account the load publishes with (``sandbox-00N`` on X and
Facebook) credentials that are unique sentinels, registered in the sandbox (an X app of their own,
the accounts and Pages under the family's ids, so that faults scoped to an account still match)
and written to an accounts file: the only place they are configured. ``leaks`` searches what the
run left (every file in its folder, every row of every table, every Redis key and value with
Celery's base64 message bodies decoded) and names each place the marker appears.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import Engine, inspect, text

from campaigns import demo_accounts


def new_marker() -> str:
    """A sentinel prefix no earlier run used: every credential of the run starts with it."""
    return f"SNTNL{secrets.token_hex(5)}x"


def sentinel_accounts(marker: str, sandbox: Any, count: int, folder: Path) -> Path:
    """Register accounts 1..count in ``sandbox`` (``.admin(method, path, body)``, started without
    its family) with sentinel credentials; returns the accounts file naming them."""
    key, secret, bearer = f"{marker}ck", f"{marker}cs", f"{marker}bearer"
    sandbox.admin(
        "POST", "/_sandbox/apps", {"consumer_key": key, "consumer_secret": secret, "bearer_token": bearer}
    )
    entries = []
    for n in range(1, count + 1):
        user, page = demo_accounts.x_user_id(n), demo_accounts.fb_page_id(n)
        token, token_secret, page_token = f"{user}-{marker}at{n}", f"{marker}ats{n}", f"{marker}page{n}"
        sandbox.admin("POST", "/_sandbox/accounts", {"platform": "x", "id": user, "username": demo_accounts.x_username(n),
                      "access_token": token, "access_token_secret": token_secret})  # fmt: skip
        sandbox.admin("POST", "/_sandbox/accounts", {"platform": "facebook", "id": page,
                      "name": f"Sandbox Page {n:03d}", "access_token": page_token})  # fmt: skip
        entries.append(
            f'[x-{n}]\nplatform = "twitter"\nname = "sandbox-{n:03d}"\nsandbox = true\n'
            f'consumer_key = "{key}"\nconsumer_secret = "{secret}"\nbearer_token = "{bearer}"\n'
            f'access_token = "{token}"\naccess_token_secret = "{token_secret}"\n\n'
            f'[fb-{n}]\nplatform = "facebook"\nname = "sandbox-{n:03d}"\nsandbox = true\n'
            f'page_id = "{page}"\npage_token = "{page_token}"\n'
        )
    path = folder / "accounts.toml"
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def leaks(marker: str, places: dict[str, str]) -> list[str]:
    """``where: ...context...`` for every occurrence of ``marker``."""
    found = []
    for where, content in places.items():
        for match in re.finditer(re.escape(marker), content):
            found.append(f"{where}: ...{content[max(0, match.start() - 80) : match.end() + 40]!r}...")
    return found


def files_text(folder: Path, configured: set[Path]) -> dict[str, str]:
    """Every file under ``folder`` but the configuration, as text (binary files decoded loosely)."""
    return {
        str(path.relative_to(folder)): path.read_bytes().decode("utf-8", "replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path not in configured
    }


def database_text(engine: Engine) -> str:
    """Every row of every table."""
    lines = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            lines += [
                f"{table} {tuple(row)!r}" for row in connection.execute(text(f'SELECT * FROM "{table}"'))
            ]
    return "\n".join(lines)


def redis_text(url: str) -> str:
    """Every key and value, then whatever base64 in them decodes to (Celery's message bodies)."""
    client = redis.Redis.from_url(url)
    lines = []
    try:
        for key in client.scan_iter("*"):
            kind = client.type(key).decode()
            read = {
                "string": client.get,
                "list": lambda k: client.lrange(k, 0, -1),
                "hash": client.hgetall,
                "set": client.smembers,
                "zset": lambda k: client.zrange(k, 0, -1, withscores=True),
            }.get(kind)
            lines.append(f"{key!r} {kind} {read(key) if read else None!r}")
    finally:
        client.close()
    dump = "\n".join(lines)
    return "\n".join([dump, *decoded_base64(dump)])


def decoded_base64(content: str) -> Iterator[str]:
    for chunk in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", content):
        try:
            yield base64.b64decode(chunk + "=" * (-len(chunk) % 4)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            continue


def scan(marker: str, *, folder: Path, engine: Engine, redis_url: str, configured: set[Path]) -> list[str]:
    """Where the run's sentinel appears outside ``configured``: files (with base64 decoded),
    the database, Redis. A store that cannot be read is reported as a finding, not skipped."""
    places = files_text(folder, configured)
    places |= {f"{where} (base64)": "\n".join(decoded_base64(t)) for where, t in places.items()}
    unread = []
    for name, read in (("database", lambda: database_text(engine)), ("redis", lambda: redis_text(redis_url))):
        try:
            places[name] = read()
        except Exception as e:  # a store that could not be searched is a failed search, not a pass
            unread.append(f"{name}: could not be searched ({type(e).__name__})")
    return unread + leaks(marker, places)
