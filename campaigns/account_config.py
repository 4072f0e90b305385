"""Accounts: which platform, where it is reached, and its credentials (as ``SecretStr``).

``campaigns.settings.Settings.account()`` builds these from the environment and the optional
accounts file; ``sandbox_account`` builds them for the local sandbox without any file (the
benchmarks' 100 accounts). Nothing here talks to a platform.

It sits below the settings, which build these, rather than in ``platforms/``, which reads the
settings: so the two never import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from campaigns import demo_accounts

Channel: TypeAlias = Literal["twitter", "facebook"]
CHANNELS: tuple[Channel, ...] = ("twitter", "facebook")

# The hosts the client libraries have hardcoded; any other base URL means "rewrite to it".
TWITTER_API = "https://api.twitter.com"
GRAPH_API = "https://graph.facebook.com"


class TwitterCredentials(BaseModel):
    """OAuth 1.0a user context (writes, and reads when there is no bearer token)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    consumer_key: SecretStr
    consumer_secret: SecretStr
    access_token: SecretStr
    access_token_secret: SecretStr
    bearer_token: SecretStr | None = None

    @property
    def user_id(self) -> str | None:
        """X access tokens start with the account's numeric user id: saves a ``users/me`` call."""
        prefix, sep, _ = self.access_token.get_secret_value().partition("-")
        return prefix if sep and prefix.isdigit() else None

    def secret_values(self) -> list[str]:
        fields = (self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret)
        return [s.get_secret_value() for s in (*fields, self.bearer_token) if s is not None]


class FacebookCredentials(BaseModel):
    """A Page access token. ``app_secret``, if set, signs every call with ``appsecret_proof``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page_id: str
    page_token: SecretStr
    app_secret: SecretStr | None = None

    def secret_values(self) -> list[str]:
        return [s.get_secret_value() for s in (self.page_token, self.app_secret) if s is not None]


Credentials: TypeAlias = TwitterCredentials | FacebookCredentials


class AccountConfig(BaseModel):
    """One account on one platform. ``repr()`` shows no secret (``SecretStr``)."""

    model_config = ConfigDict(frozen=True)

    name: str
    platform: Channel
    base_url: str  # scheme://host[:port] the adapter sends to
    is_sandbox: bool
    credentials: Credentials

    @property
    def label(self) -> str:
        return f"{self.platform}/{self.name}"

    def twitter(self) -> TwitterCredentials:
        if not isinstance(self.credentials, TwitterCredentials):
            raise TypeError(f"{self.label} has no X credentials")
        return self.credentials

    def facebook(self) -> FacebookCredentials:
        if not isinstance(self.credentials, FacebookCredentials):
            raise TypeError(f"{self.label} has no Facebook credentials")
        return self.credentials


def demo_credentials(platform: Channel) -> Credentials:
    """The sandbox's built-in account (X) or Page (Facebook); not secrets, see ``demo_accounts``."""
    if platform == "twitter":
        return TwitterCredentials(
            consumer_key=SecretStr(demo_accounts.X_CONSUMER_KEY),
            consumer_secret=SecretStr(demo_accounts.X_CONSUMER_SECRET),
            access_token=SecretStr(demo_accounts.X_ACCESS_TOKEN),
            access_token_secret=SecretStr(demo_accounts.X_ACCESS_TOKEN_SECRET),
            bearer_token=SecretStr(demo_accounts.X_BEARER_TOKEN),
        )
    return FacebookCredentials(
        page_id=demo_accounts.FB_PAGE_ID, page_token=SecretStr(demo_accounts.FB_PAGE_TOKEN)
    )


def sandbox_account(
    platform: Channel, name: str, *, sandbox_url: str, credentials: Credentials | None = None
) -> AccountConfig:
    """An account on the local sandbox, e.g. one of the benchmarks' extra accounts.

    Without ``credentials`` it is the sandbox's demo account or Page under another name.
    """
    return AccountConfig(
        name=name,
        platform=platform,
        base_url=sandbox_url.rstrip("/"),
        is_sandbox=True,
        credentials=credentials or demo_credentials(platform),
    )


def sandbox_family_account(platform: Channel, n: int, *, sandbox_url: str) -> AccountConfig:
    """Account number ``n`` (>= 1) of the sandbox's deterministic family of extra accounts, named
    ``sandbox-NNN``. The sandbox must have been started with at least ``n`` extra accounts."""
    credentials: Credentials
    if platform == "twitter":
        credentials = TwitterCredentials(
            consumer_key=SecretStr(demo_accounts.X_CONSUMER_KEY),
            consumer_secret=SecretStr(demo_accounts.X_CONSUMER_SECRET),
            access_token=SecretStr(demo_accounts.x_access_token(n)),
            access_token_secret=SecretStr(demo_accounts.x_access_token_secret(n)),
            bearer_token=SecretStr(demo_accounts.X_BEARER_TOKEN),
        )
    else:
        credentials = FacebookCredentials(
            page_id=demo_accounts.fb_page_id(n), page_token=SecretStr(demo_accounts.fb_page_token(n))
        )
    return sandbox_account(platform, f"sandbox-{n:03d}", sandbox_url=sandbox_url, credentials=credentials)


def parse_accounts(data: Mapping[str, Any], *, base_dir: Path, sandbox_url: str) -> list[AccountConfig]:
    """Accounts from a parsed accounts file: ``{key: {platform, [name], [sandbox], [base_url], creds...}}``.

    The key is the account's name unless the entry sets ``name`` (so that one name can exist on
    both platforms). A credential may be given as ``<field>_file`` (a path, relative to the file's
    folder) instead of its value. ``sandbox = true`` points the account at the sandbox. Raises
    ``ValueError`` with a one-line message.
    """
    accounts = []
    for key, entry in data.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"{key}: expected a table of settings")
        accounts.append(_parse_entry(str(key), dict(entry), base_dir=base_dir, sandbox_url=sandbox_url))
    return accounts


def _parse_entry(key: str, entry: dict[str, Any], *, base_dir: Path, sandbox_url: str) -> AccountConfig:
    platform = entry.pop("platform", None)
    if platform not in CHANNELS:
        raise ValueError(f"{key}: platform must be one of {', '.join(CHANNELS)}")
    name = str(entry.pop("name", key))
    is_sandbox = bool(entry.pop("sandbox", False))
    default_url = sandbox_url if is_sandbox else (TWITTER_API if platform == "twitter" else GRAPH_API)
    base_url = str(entry.pop("base_url", default_url)).rstrip("/")
    for field in [f for f in entry if f.endswith("_file")]:
        entry[field.removesuffix("_file")] = read_secret_file(base_dir / str(entry.pop(field)))
    # TOML and YAML read a numeric Page id as a number.
    values = {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in entry.items()}
    model = TwitterCredentials if platform == "twitter" else FacebookCredentials
    try:
        credentials = model.model_validate(values)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        raise ValueError(f"{key}: {problems}") from None
    return AccountConfig(
        name=name, platform=platform, base_url=base_url, is_sandbox=is_sandbox, credentials=credentials
    )


def read_secret_file(path: Path) -> str:
    """A secret kept in a file (Docker secrets): its content without the trailing newline."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise ValueError(f"cannot read secret file {path}: {e.strerror}") from None
