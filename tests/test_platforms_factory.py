"""The factory, and the rule that only the two adapter modules touch the client libraries."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import campaigns
from campaigns.platforms import Platform, get_platform
from campaigns.settings import Settings, SettingsError, load_settings
from sandbox.testing import SandboxHandle

PACKAGE = Path(campaigns.__file__).parent


@pytest.fixture(autouse=True)
def no_credentials_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(f"{name.upper()}_FILE", raising=False)


def test_it_builds_an_adapter_per_channel_and_account(sandbox: SandboxHandle) -> None:
    settings = load_settings(_env_file=None, sandbox_url=sandbox.url)
    for channel in ("twitter", "facebook"):
        platform = get_platform(channel, settings=settings)
        assert isinstance(platform, Platform)
        assert (platform.name, platform.account) == (channel, "default")
        assert platform.check().account == "default"


def test_it_refuses_an_unknown_channel_or_account() -> None:
    settings = load_settings(_env_file=None)
    with pytest.raises(SettingsError, match="unknown channel 'mastodon'"):
        get_platform("mastodon", settings=settings)
    with pytest.raises(SettingsError, match="no twitter account named 'fr'"):
        get_platform("twitter", "fr", settings=settings)


def test_it_imports_the_client_libraries_only_in_their_adapters() -> None:
    importing = re.compile(r"^\s*(import|from)\s+(tweepy|facebook)\b", re.MULTILINE)
    offenders = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
    }
    # Each adapter is a module for publishing and one for reading metrics (kept under 300 lines each).
    adapters = {
        "platforms/twitter.py",
        "platforms/twitter_metrics.py",
        "platforms/facebook.py",
        "platforms/facebook_metrics.py",
    }
    assert offenders == adapters


def test_it_does_not_load_the_client_libraries_until_an_adapter_is_built() -> None:
    code = "import sys, campaigns.platforms, campaigns.settings, campaigns.commands.account_checks; "
    code += "print(sorted(m for m in ('tweepy', 'facebook') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
