"""Settings: sandbox by default, real hosts with credentials, ``_FILE`` secrets, the accounts file."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns import demo_accounts
from campaigns.account_config import GRAPH_API, TWITTER_API
from campaigns.settings import Settings, SettingsError, get_settings, load_settings

X_ENV = {
    "TWITTER_CONSUMER_KEY": "real-consumer-key",
    "TWITTER_CONSUMER_SECRET": "real-consumer-secret-value",
    "TWITTER_ACCESS_TOKEN": "42-real-access-token",
    "TWITTER_ACCESS_TOKEN_SECRET": "real-access-token-secret-value",
    "TWITTER_BEARER_TOKEN": "real-bearer-token-value",
}
FB_ENV = {"FACEBOOK_PAGE_ID": "777", "FACEBOOK_PAGE_TOKEN": "real-page-token-value"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No variable of the developer's shell (nor a ``.env`` in the repo) leaks into these tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(f"{name.upper()}_FILE", raising=False)
    monkeypatch.chdir(tmp_path)


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def test_it_points_both_platforms_at_the_sandbox_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, SANDBOX_URL="http://127.0.0.1:9999/")
    x, fb = s.account("twitter"), s.account("facebook")
    assert (x.is_sandbox, x.base_url) == (True, "http://127.0.0.1:9999")
    assert x.twitter().access_token.get_secret_value() == demo_accounts.X_ACCESS_TOKEN
    assert (fb.is_sandbox, fb.base_url, fb.facebook().page_id) == (
        True,
        "http://127.0.0.1:9999",
        demo_accounts.FB_PAGE_ID,
    )


def test_it_points_at_the_real_hosts_when_credentials_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, **X_ENV, **FB_ENV)
    x, fb = s.account("twitter"), s.account("facebook")
    assert (x.is_sandbox, x.base_url) == (False, TWITTER_API)
    assert x.twitter().consumer_secret.get_secret_value() == "real-consumer-secret-value"
    assert x.twitter().user_id == "42"
    assert (fb.is_sandbox, fb.base_url, fb.facebook().page_id) == (False, GRAPH_API, "777")


def test_it_keeps_one_platform_on_the_sandbox_when_only_the_other_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = settings(monkeypatch, **FB_ENV)
    assert s.account("twitter").is_sandbox
    assert not s.account("facebook").is_sandbox


def test_it_reads_secrets_from_file_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "page_token"
    secret.write_text("token-from-a-docker-secret\n")
    s = settings(
        monkeypatch,
        FACEBOOK_PAGE_ID="777",
        FACEBOOK_PAGE_TOKEN="ignored",
        FACEBOOK_PAGE_TOKEN_FILE=str(secret),
    )
    assert s.account("facebook").facebook().page_token.get_secret_value() == "token-from-a-docker-secret"


def test_it_reads_file_variables_named_in_the_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "bearer").write_text("bearer-from-file")
    lines = [f"{k}={v}" for k, v in X_ENV.items() if k != "TWITTER_BEARER_TOKEN"]
    (tmp_path / ".env").write_text("\n".join([*lines, f"TWITTER_BEARER_TOKEN_FILE={tmp_path / 'bearer'}"]))
    bearer = load_settings().account("twitter").twitter().bearer_token
    assert bearer is not None and bearer.get_secret_value() == "bearer-from-file"


def test_it_names_the_variable_when_a_secret_file_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="FACEBOOK_PAGE_TOKEN_FILE: cannot read secret file"):
        settings(monkeypatch, FACEBOOK_PAGE_TOKEN_FILE="/nonexistent/token")


def test_it_refuses_incomplete_x_credentials_in_one_line_without_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(SettingsError) as raised:
        settings(
            monkeypatch, TWITTER_CONSUMER_KEY="real-consumer-key", TWITTER_ACCESS_TOKEN="42-real-access-token"
        )
    message = str(raised.value)
    assert "TWITTER_CONSUMER_SECRET" in message and "TWITTER_ACCESS_TOKEN_SECRET" in message
    assert "\n" not in message and "real-consumer-key" not in message and "42-real" not in message


def test_it_refuses_a_page_token_without_its_page(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="FACEBOOK_PAGE_ID and FACEBOOK_PAGE_TOKEN"):
        settings(monkeypatch, FACEBOOK_PAGE_TOKEN="real-page-token-value")


def test_it_never_shows_a_secret_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch, **X_ENV, **FB_ENV, DATABASE_URL="postgresql+psycopg://app:db-password@db/campaigns"
    )
    shown = repr(s) + str(s) + repr(s.accounts()) + str(s.accounts())
    secrets = [*X_ENV.values(), FB_ENV["FACEBOOK_PAGE_TOKEN"], "db-password"]
    assert [v for v in secrets if v in shown] == []
    assert "postgresql+psycopg://app:***@db/campaigns" in shown
    assert s.database_url.endswith("db-password@db/campaigns")


def test_it_derives_the_database_url_from_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).database_url == "sqlite:///var/campaigns.db"
    assert settings(monkeypatch, DATA_DIR="/srv/data").database_url == "sqlite:////srv/data/campaigns.db"


def test_it_accepts_a_graph_version_with_or_without_its_v(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch, GRAPH_API_VERSION="25.0").graph_api_version == "v25.0"
    with pytest.raises(SettingsError, match="GRAPH_API_VERSION"):
        settings(monkeypatch, GRAPH_API_VERSION="latest")


def test_it_loads_more_accounts_from_a_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "fr-secret").write_text("fr-access-token-secret\n")
    (tmp_path / "accounts.toml").write_text(
        """
        [fr-x]
        platform = "twitter"
        name = "fr"
        consumer_key = "ck"
        consumer_secret = "cs"
        access_token = "43-fr-token"
        access_token_secret_file = "fr-secret"

        [fr-fb]
        platform = "facebook"
        name = "fr"
        sandbox = true
        page_id = 1234
        page_token = "fr-page-token"
        """.replace("        ", "")
    )
    s = settings(monkeypatch, ACCOUNTS_FILE=str(tmp_path / "accounts.toml"))
    fr_x, fr_fb = s.account("twitter", "fr"), s.account("facebook", "fr")
    assert fr_x.twitter().access_token_secret.get_secret_value() == "fr-access-token-secret"
    assert (fr_x.base_url, fr_x.is_sandbox) == (TWITTER_API, False)
    assert (fr_fb.base_url, fr_fb.is_sandbox, fr_fb.facebook().page_id) == (s.sandbox_url, True, "1234")
    assert [a.label for a in s.accounts()] == [
        "twitter/default",
        "facebook/default",
        "twitter/fr",
        "facebook/fr",
    ]


def test_it_loads_more_accounts_from_a_yaml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "accounts.yaml").write_text(
        "es:\n  platform: facebook\n  page_id: '55'\n  page_token: tok-es\n"
    )
    s = settings(monkeypatch, ACCOUNTS_FILE=str(tmp_path / "accounts.yaml"))
    assert s.account("facebook", "es").facebook().page_token.get_secret_value() == "tok-es"


def test_it_reports_a_broken_accounts_entry_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "accounts.toml").write_text('[fr]\nplatform = "twitter"\nconsumer_key = "ck-secret-value"\n')
    s = settings(monkeypatch, ACCOUNTS_FILE=str(tmp_path / "accounts.toml"))
    with pytest.raises(SettingsError) as raised:
        s.accounts()
    assert "accounts.toml:1:1: fr: consumer_secret: Field required" in str(raised.value)
    assert "\n" not in str(raised.value) and "ck-secret-value" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        (  # the entry at fault, by its header line
            "accounts.yaml",
            "un:\n  platform: twitter\n  consumer_key: a\n  consumer_secret: b\n  access_token: c\n"
            "  access_token_secret: d\nfr:\n  platform: mastodon\n",
            "accounts.yaml:7:1: fr: platform must be one of twitter, facebook",
        ),
        (
            "accounts.toml",
            '[un]\nplatform = "twitter"\nconsumer_key = \n',
            "accounts.toml:3:16: not valid TOML",
        ),
        ("accounts.yaml", "un:\n  platform: twitter\n  - oops\n", "accounts.yaml:3:3: not valid YAML"),
    ],
)
def test_it_names_the_line_of_a_wrong_accounts_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, text: str, where: str
) -> None:
    (tmp_path / name).write_text(text)
    s = settings(monkeypatch, ACCOUNTS_FILE=str(tmp_path / name))
    with pytest.raises(SettingsError) as raised:
        s.accounts()
    assert str(raised.value).startswith(f"{tmp_path / name}:") and where in str(raised.value)


def test_it_refuses_an_account_configured_twice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    entry = "platform = 'facebook'\nname = 'fr'\npage_id = '1'\npage_token = 'tok'\n"
    (tmp_path / "accounts.toml").write_text(f"[fr-a]\n{entry}[fr-b]\n{entry}")
    with pytest.raises(SettingsError, match="facebook/fr is configured twice"):
        settings(monkeypatch, ACCOUNTS_FILE=str(tmp_path / "accounts.toml")).accounts()


def test_it_refuses_an_accounts_file_inside_the_specs_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "campaign_specs").mkdir()
    with pytest.raises(SettingsError, match="ACCOUNTS_FILE must not be inside"):
        settings(monkeypatch, ACCOUNTS_FILE="campaign_specs/accounts.toml")


def test_it_names_the_configured_accounts_when_one_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match=r"no twitter account named 'fr' \(configured: default\)"):
        settings(monkeypatch).account("twitter", "fr")


def test_it_builds_the_sandbox_family_of_accounts_in_code(monkeypatch: pytest.MonkeyPatch) -> None:
    family = settings(monkeypatch).sandbox_accounts("twitter", 100)
    assert len({a.twitter().access_token.get_secret_value() for a in family}) == 100
    assert family[0].name == "sandbox-001" and family[0].twitter().user_id == demo_accounts.x_user_id(1)
    page = settings(monkeypatch).sandbox_accounts("facebook", 3)[2]
    assert page.facebook().page_id == demo_accounts.fb_page_id(3) and page.is_sandbox


def test_it_configures_the_sandbox_family_by_number(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, SANDBOX_EXTRA_ACCOUNTS="100")
    assert len(s.accounts()) == 2 + 2 * 100
    account = s.account("facebook", "sandbox-042")
    assert (account.is_sandbox, account.facebook().page_id) == (True, demo_accounts.fb_page_id(42))


def test_it_builds_the_settings_once(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    try:
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()
