"""The sandbox as a child of ``campaigns run``: is it needed, is one already there, how to start it."""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from campaigns.settings import Settings

LOCAL_NAMES = ("localhost",)
START_TIMEOUT = 30.0  # seconds for a fresh sandbox to answer (it imports aiohttp, opens its state)


@dataclass(frozen=True, slots=True)
class Address:
    host: str
    port: int


def sandbox_needed(settings: Settings) -> bool:
    """True when some configured account publishes to the sandbox (a platform without credentials)."""
    return any(account.is_sandbox for account in settings.accounts())


def sandbox_answers(url: str, *, timeout: float = 1.0) -> bool:
    """True if a platform sandbox (not just anything) answers its admin API at ``url``."""
    try:
        with urllib.request.urlopen(f"{url}/_sandbox/clock", timeout=timeout) as response:
            return "now" in json.loads(response.read())
    except (OSError, ValueError):  # refused, timed out, not HTTP, not JSON: no sandbox there
        return False


def local_address(url: str) -> Address | None:
    """Where to start a sandbox for ``url``: its host and port if that host is this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        return None
    if parts.scheme != "http":
        return None
    if host in LOCAL_NAMES:
        return Address(host, port)
    try:
        return Address(host, port) if ip_address(host).is_loopback else None
    except ValueError:  # a name other than localhost: maybe another machine
        return None


def port_in_use(host: str, port: int) -> bool:
    """True if something accepts connections on ``host:port`` (so a server could not listen there)."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def busy_port_message(address: Address) -> str:
    """`campaigns run` wants to start its sandbox where something that is not one listens."""
    return (
        f"cannot start the sandbox: port {address.port} on {address.host} is in use by something that is "
        f"not the sandbox; set SANDBOX_URL to a free port (e.g. SANDBOX_URL=http://{address.host}:"
        f"{address.port + 10}) in the environment or .env"
    )


def sandbox_state_file(settings: Settings) -> Path:
    """Where the service's sandbox keeps accounts, posts and its clock, so a demo survives a restart."""
    return settings.data_dir / "sandbox.db"


def sandbox_argv(settings: Settings, address: Address) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sandbox",
        "--host",
        address.host,
        "--port",
        str(address.port),
        "--state",
        str(sandbox_state_file(settings)),
        "--accounts",
        str(settings.sandbox_extra_accounts),
    ]
