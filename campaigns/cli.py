"""The ``campaigns`` command line.

Sub-commands live in ``campaigns/commands/`` and are imported only when invoked, so that
``campaigns validate`` starts fast (no Celery, SQLAlchemy or HTTP stack imported).
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute"; one module per area of the product.
COMMANDS: dict[str, str] = {
    "validate": "campaigns.commands.specs:validate",
    "plan": "campaigns.commands.specs:plan",
    "schema": "campaigns.commands.specs:schema",
    "sandbox": "campaigns.commands.sandbox:sandbox",
    "accounts": "campaigns.commands.accounts:accounts",
    "publish-test": "campaigns.commands.accounts:publish_test",
    "diff": "campaigns.commands.schedule:diff",
    "apply": "campaigns.commands.schedule:apply",
    "pause": "campaigns.commands.schedule:pause",
    "resume": "campaigns.commands.schedule:resume",
    "status": "campaigns.commands.schedule:status",
    "retry": "campaigns.commands.schedule:retry",
    "db": "campaigns.commands.schedule:db",
    "run": "campaigns.commands.run:run",
    "health": "campaigns.commands.service:health",
    "metrics": "campaigns.commands.metrics:metrics",
    "report": "campaigns.commands.report:report",
    "users": "campaigns.commands.users:users",
    "web": "campaigns.commands.web:web",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="campaign-scheduler")
def cli() -> None:
    """Plan, validate and publish social media campaigns written in YAML."""
