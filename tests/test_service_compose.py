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
LONG_RUNNING = {"postgres", "redis", "worker", "beat", "sandbox", "flower", "web"}


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
    done = subprocess.run(
        argv, cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=120, check=False
    )
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
    for name in ("worker", "beat", "web"):
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
