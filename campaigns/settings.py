"""The service's settings: environment variables, a ``.env`` file, and ``<NAME>_FILE`` secrets.

Build them once with ``get_settings()``. Every field is read from the upper-case variable of the
same name (``DATABASE_URL``, ``TWITTER_BEARER_TOKEN``...); ``<NAME>_FILE`` names a file that holds
the value instead (Docker secrets) and wins over ``<NAME>``.

A platform with NO credentials configured publishes to the local sandbox with its demo account
(``campaigns/demo_accounts.py``), so a fresh install works; as soon as credentials are set it goes to
the real host. More accounts can be named in ``ACCOUNTS_FILE`` (TOML or YAML, outside the specs folder).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from campaigns.account_config import (
    CHANNELS,
    GRAPH_API,
    TWITTER_API,
    AccountConfig,
    Channel,
    FacebookCredentials,
    TwitterCredentials,
    read_secret_file,
    sandbox_account,
    sandbox_family_account,
)
from campaigns.accounts_file import read_accounts_file

_TWITTER_USER_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


class SettingsError(ValueError):
    """The configuration cannot be used. One line, naming the variable; never a secret value."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore", frozen=True
    )

    data_dir: Path = Path("./var")
    database_url: str = ""  # default: sqlite:///<data_dir>/campaigns.db
    redis_url: str | None = None  # None: the embedded broker
    broker_prefix: str = ""  # prefixes every Redis key: several deployments (or test runs) on one Redis
    specs_dir: Path = Path("campaign_specs")
    sandbox_url: str = "http://127.0.0.1:8765"
    # Also configure the sandbox's family of extra accounts 1..n (sandbox-001...) on both platforms,
    # e.g. 100 for the benchmarks; start the sandbox with as many (`extra_accounts`).
    sandbox_extra_accounts: int = Field(default=0, ge=0)
    http_timeout: float = Field(default=10.0, gt=0)  # seconds, every platform request
    graph_api_version: str = "v23.0"
    twitter_base_url: str = TWITTER_API  # e.g. https://api.x.com
    facebook_base_url: str = GRAPH_API

    twitter_consumer_key: SecretStr | None = None
    twitter_consumer_secret: SecretStr | None = None
    twitter_access_token: SecretStr | None = None
    twitter_access_token_secret: SecretStr | None = None
    twitter_bearer_token: SecretStr | None = None
    facebook_page_id: str | None = None
    facebook_page_token: SecretStr | None = None
    facebook_app_secret: SecretStr | None = None  # for appsecret_proof, if the Meta app requires it

    accounts_file: Path | None = None

    # Engagement metrics (campaigns/metrics). Posts are read every METRICS_YOUNG_INTERVAL for their
    # first 6 hours, every METRICS_INTERVAL to 3 days, then daily, until METRICS_ACTIVE_DAYS after
    # the campaign's last post; hashtag volume every completed hour. The beat runs the collector
    # every min(METRICS_YOUNG_INTERVAL, METRICS_INTERVAL) seconds.
    metrics_interval: int = Field(default=3600, ge=60)  # seconds
    metrics_young_interval: int = Field(default=900, ge=60)  # seconds
    metrics_active_days: int = Field(default=14, ge=0)
    # X bills reads per post returned: at most this many per campaign and UTC day (0: no X reads).
    metrics_x_daily_reads: int = Field(default=2000, ge=0)

    # E-mail (weekly reports, alerts). No SMTP_HOST: nothing is e-mailed; reports are still archived.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "campaigns@localhost"
    smtp_starttls: bool = True
    smtp_timeout: float = Field(default=30.0, gt=0)
    # Comma-separated addresses sent every campaign's weekly report (and the alerts), besides the
    # `contacts:` / `report_to:` of each campaign's spec.
    report_recipients: str = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        files = _FileVariablesSource(settings_cls, dotenv_settings)
        return init_settings, files, env_settings, dotenv_settings, file_secret_settings

    @field_validator("sandbox_url", "twitter_base_url", "facebook_base_url")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")

    @field_validator("graph_api_version")
    @classmethod
    def _graph_version(cls, version: str) -> str:
        version = version if version.startswith("v") else f"v{version}"
        if not re.fullmatch(r"v\d+\.\d+", version):
            raise ValueError("expected a Graph API version such as v23.0")
        return version

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if not self.database_url:
            # frozen model: object.__setattr__ is how a derived default is filled in.
            object.__setattr__(
                self, "database_url", f"sqlite:///{(self.data_dir / 'campaigns.db').as_posix()}"
            )
        user_keys = [k for k in _TWITTER_USER_KEYS if getattr(self, f"twitter_{k}") is None]
        if self.twitter_configured and user_keys:
            missing = ", ".join(f"TWITTER_{k.upper()}" for k in user_keys)
            raise ValueError(f"X credentials are incomplete: {missing} not set (writes need all four)")
        if (self.facebook_page_id is None) != (self.facebook_page_token is None):
            raise ValueError("set both FACEBOOK_PAGE_ID and FACEBOOK_PAGE_TOKEN, or neither")
        if self.accounts_file is not None and _inside(self.accounts_file, self.specs_dir):
            raise ValueError("ACCOUNTS_FILE must not be inside the campaign specs folder (it holds secrets)")
        return self

    @property
    def report_recipient_list(self) -> list[str]:
        return [a.strip() for a in self.report_recipients.split(",") if a.strip()]

    @property
    def twitter_configured(self) -> bool:
        keys = (*_TWITTER_USER_KEYS, "bearer_token")
        return any(getattr(self, f"twitter_{k}") is not None for k in keys)

    @property
    def facebook_configured(self) -> bool:
        return self.facebook_page_token is not None

    def account(self, platform: Channel, name: str = "default") -> AccountConfig:
        """The configured account ``name`` on ``platform``. Raises ``SettingsError`` if unknown."""
        account = self._accounts_by_key.get((platform, name))
        if account is None:
            known = ", ".join(a.name for a in self.accounts() if a.platform == platform)
            raise SettingsError(f"no {platform} account named {name!r} (configured: {known})")
        return account

    def accounts(self) -> list[AccountConfig]:
        """Every configured account: each platform's ``default``, the accounts file's, then the
        sandbox family's (``SANDBOX_EXTRA_ACCOUNTS``)."""
        return list(self._accounts_by_key.values())

    @functools.cached_property
    def _accounts_by_key(self) -> dict[tuple[str, str], AccountConfig]:
        family = [a for p in CHANNELS for a in self.sandbox_accounts(p, self.sandbox_extra_accounts)]
        every = [self._default_account(p) for p in CHANNELS] + list(self._accounts_from_file) + family
        by_key: dict[tuple[str, str], AccountConfig] = {}
        for account in every:
            if (account.platform, account.name) in by_key:
                raise SettingsError(f"{account.label} is configured twice")
            by_key[(account.platform, account.name)] = account
        return by_key

    def sandbox_account(
        self,
        platform: Channel,
        name: str,
        credentials: TwitterCredentials | FacebookCredentials | None = None,
    ) -> AccountConfig:
        """An extra sandbox account built in code (no file), e.g. for benchmarks.

        Without ``credentials`` it is the sandbox's demo account or Page under another name."""
        return sandbox_account(platform, name, sandbox_url=self.sandbox_url, credentials=credentials)

    def sandbox_accounts(self, platform: Channel, count: int) -> list[AccountConfig]:
        """The sandbox's extra accounts 1..count (``sandbox-001``...), e.g. the benchmarks' 100."""
        return [
            sandbox_family_account(platform, n, sandbox_url=self.sandbox_url) for n in range(1, count + 1)
        ]

    def _default_account(self, platform: Channel) -> AccountConfig:
        if platform == "twitter" and self.twitter_configured:
            credentials: TwitterCredentials | FacebookCredentials = TwitterCredentials(
                **{k: getattr(self, f"twitter_{k}") for k in (*_TWITTER_USER_KEYS, "bearer_token")}
            )
            base_url = self.twitter_base_url
        elif platform == "facebook" and self.facebook_configured:
            assert self.facebook_page_id is not None and self.facebook_page_token is not None
            credentials = FacebookCredentials(
                page_id=self.facebook_page_id,
                page_token=self.facebook_page_token,
                app_secret=self.facebook_app_secret,
            )
            base_url = self.facebook_base_url
        else:
            return self.sandbox_account(platform, "default")
        return AccountConfig(
            name="default", platform=platform, base_url=base_url, is_sandbox=False, credentials=credentials
        )

    @functools.cached_property
    def _accounts_from_file(self) -> tuple[AccountConfig, ...]:
        if self.accounts_file is None:
            return ()
        path = self.accounts_file
        try:
            accounts = read_accounts_file(path, sandbox_url=self.sandbox_url)
        except ValueError as e:
            raise SettingsError(str(e)) from None
        if any(a.name == "default" for a in accounts):
            raise SettingsError(f"{path}: 'default' accounts come from the environment; use another name")
        return tuple(accounts)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, _mask_url(value) if name in ("database_url", "redis_url") else value


class _FileVariablesSource(PydanticBaseSettingsSource):
    """``<NAME>_FILE`` (in the environment or the ``.env`` file) names a file holding ``<NAME>``."""

    def __init__(self, settings_cls: type[BaseSettings], dotenv: DotEnvSettingsSource) -> None:
        super().__init__(settings_cls)
        self._dotenv = dotenv

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every field at once

    def __call__(self) -> dict[str, Any]:
        variables = {k.upper(): v for k, v in self._dotenv.env_vars.items() if v}
        variables.update({k.upper(): v for k, v in os.environ.items() if v})
        values: dict[str, Any] = {}
        for name in self.settings_cls.model_fields:
            path = variables.get(f"{name.upper()}_FILE")
            if path:
                try:
                    value = read_secret_file(Path(path))
                except ValueError as e:
                    raise SettingsError(f"{name.upper()}_FILE: {e}") from None
                if value:  # an empty file means "not set", as an empty variable does (docker-compose.yml)
                    values[name] = value
        return values


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _mask_url(value: Any) -> Any:
    """``postgresql://user:***@host/db``: a URL's password never reaches a log."""
    if not isinstance(value, str) or "@" not in value:
        return value
    parts = urlsplit(value)
    if parts.password is None:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's multi-line report into one ``SettingsError`` line."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        problems = "; ".join(_describe(err) for err in e.errors())
        raise SettingsError(f"invalid settings: {problems}") from None


def _describe(err: Any) -> str:
    field = ".".join(str(part) for part in err["loc"]).upper()
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


@functools.cache
def get_settings() -> Settings:
    """The process's settings, built on first use. Tests call ``get_settings.cache_clear()``."""
    return load_settings()
