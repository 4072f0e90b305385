"""docker-compose.yml is a valid Compose file with the deployment the README promises, and
.env.example documents every setting. No Docker engine is needed: ``docker-compose config``
(Debian's docker-compose, installed by .ci/run) validates the file against the Compose schema
offline; a missing binary fails the test rather than skipping it.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from campaigns.settings import Settings
from tests.support.service_processes import REPO, clean_env

COMPOSE = REPO / "docker-compose.yml"
LONG_RUNNING = {"postgres", "redis", "worker", "ticks", "metrics", "beat", "web", "sandbox", "flower"}
CREDENTIALS = [
    "TWITTER_CONSUMER_KEY",
    "TWITTER_CONSUMER_SECRET",
    "TWITTER_ACCESS_TOKEN",
    "TWITTER_ACCESS_TOKEN_SECRET",
    "TWITTER_BEARER_TOKEN",
    "FACEBOOK_PAGE_ID",
    "FACEBOOK_PAGE_TOKEN",
    "FACEBOOK_APP_SECRET",
    "SMTP_PASSWORD",
    "DATABASE_URL",
]
APP_SERVICES = ("migrate", "worker", "ticks", "metrics", "beat", "web", "sandbox")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as docker-compose resolves it (anchors merged, variables at their defaults)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not installed: `apt-get install -y docker-compose` (.ci/run does)",
            pytrace=False,
        )
    argv = [binary, "-f", str(COMPOSE), "--profile", "sandbox", "config"]
    # The deployment's .env is the operator's; the example stands in for it here.
    env = clean_env(CAMPAIGNS_ENV_FILE=str(REPO / ".env.example"))
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = yaml.safe_load(done.stdout)
    return config


def test_it_is_a_valid_compose_file_with_every_service(compose: dict[str, Any]):
    assert set(compose["services"]) == LONG_RUNNING | {"migrate"}


def test_it_checks_the_health_of_every_long_running_service(compose: dict[str, Any]):
    unchecked = [
        name for name in LONG_RUNNING if "test" not in compose["services"][name].get("healthcheck", {})
    ]
    assert unchecked == []


def test_it_starts_the_service_only_after_the_migration_succeeded(compose: dict[str, Any]):
    services = compose["services"]
    assert services["migrate"]["command"] == ["campaigns", "db", "upgrade"]
    for name in ("worker", "ticks", "metrics", "beat", "web"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_it_lets_workers_and_beats_be_scaled(compose: dict[str, Any]):
    for name in ("worker", "beat"):
        service = compose["services"][name]
        assert "container_name" not in service and "ports" not in service, f"{name} could not run twice"
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "worker", "beat"]


def test_it_runs_the_sandbox_only_in_its_profile(compose: dict[str, Any]):
    assert compose["services"]["sandbox"]["profiles"] == ["sandbox"]
    assert all("profiles" not in s for name, s in compose["services"].items() if name != "sandbox")


def test_it_documents_every_setting_in_the_env_example():
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    missing = [name.upper() for name in Settings.model_fields if f"{name.upper()}=" not in example]
    assert missing == []


def test_it_gives_the_ticks_a_worker_of_their_own(compose: dict[str, Any]):
    """A burst waits in `publish`; the dispatcher's ticks go through `ticks`, which only `ticks` consumes."""
    queues = {
        name: service["command"][service["command"].index("--queues") + 1].split(",")
        for name, service in compose["services"].items()
        if "--queues" in service.get("command", [])
    }
    assert queues["ticks"] == ["ticks"]
    assert queues["worker"] == ["publish", "publish_late", "reconcile"]


def test_it_reads_credentials_from_secrets_and_settings_from_an_env_file(compose: dict[str, Any]):
    services = compose["services"]
    text = COMPOSE.read_text(encoding="utf-8")
    for name in APP_SERVICES:
        environment = services[name].get("environment", {})
        assert [c for c in CREDENTIALS if c in environment] == [], f"{name} gets a credential from the file"
        for credential in CREDENTIALS:
            secret = credential.lower()
            assert environment[f"{credential}_FILE"] == f"/run/secrets/{secret}", name
            assert secret in [s if isinstance(s, str) else s["source"] for s in services[name]["secrets"]]
    raw = yaml.safe_load(text)  # docker-compose config folds the env_file into `environment`
    for name in APP_SERVICES:
        assert raw["services"][name]["env_file"] == "${CAMPAIGNS_ENV_FILE:-.env}", name
    assert "POSTGRES_PASSWORD:" not in text and "PASSWORD_FILE: /run/secrets/postgres_password" in text
    assert "${TWITTER" not in text and "${FACEBOOK" not in text
