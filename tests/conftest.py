"""Shared fixtures. The platform sandbox fixtures come from ``sandbox.pytest_plugin``."""

pytest_plugins = ["sandbox.pytest_plugin", "tests.db_fixtures", "tests.publishing_helpers"]
