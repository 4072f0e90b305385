"""The ``campaigns`` command line.

Sub-commands live in ``campaigns/commands/`` and are imported only when invoked, so that
``campaigns validate`` starts fast (no Celery, SQLAlchemy or HTTP stack imported), and
``campaigns --help`` imports none of them: the one-line summaries it lists are in ``COMMANDS``
(tests/test_cli_imports.py checks they are still the first sentence of each command's help).
"""

from __future__ import annotations

import importlib

import click

from campaigns.startup import loading_libraries

# command name -> ("module:attribute", the first sentence of its help); one module per area.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": (
        "campaigns.commands.specs:validate",
        "Check campaign specs (default: campaign_specs/) and report every problem as file:line:col.",
    ),
    "plan": (
        "campaigns.commands.specs:plan",
        "Show every post the campaigns will publish between two dates, in order.",
    ),
    "schema": (
        "campaigns.commands.specs:schema",
        "Print the JSON Schema of the campaign spec format (for editor autocompletion).",
    ),
    "sandbox": (
        "campaigns.commands.sandbox:sandbox",
        "Run the platform sandbox that the X and Facebook clients publish to locally.",
    ),
    "accounts": (
        "campaigns.commands.account_checks:accounts",
        "The X and Facebook accounts the service publishes with.",
    ),
    "publish-test": (
        "campaigns.commands.account_checks:publish_test",
        "Publish one post to each platform's default account and print where it went.",
    ),
    "diff": (
        "campaigns.commands.changes:diff",
        "Show what the campaign specs would change in the schedule, post by post (changes nothing).",
    ),
    "apply": (
        "campaigns.commands.changes:apply",
        "Make the schedule follow the campaign specs, one transaction per campaign.",
    ),
    "pause": (
        "campaigns.commands.control:pause",
        "Stop publishing a campaign's posts (from the next tick) until `campaigns resume`.",
    ),
    "resume": ("campaigns.commands.control:resume", "Publish a paused campaign's posts again."),
    "retry": (
        "campaigns.commands.control:retry",
        "Put a failed or missed post back in the queue, to go out now.",
    ),
    "status": (
        "campaigns.commands.status:status",
        "Show upcoming, published, unconfirmed, failed and missed posts (of one campaign, or all).",
    ),
    "db": (
        "campaigns.commands.database:db",
        "The schedule database (DATABASE_URL; default SQLite in ./var).",
    ),
    "run": (
        "campaigns.commands.run:run",
        "Start the service: database, sandbox (without credentials), specs, Celery worker and beat.",
    ),
    "health": (
        "campaigns.commands.service_health:health",
        "Check for overdue posts, a silent beat, held accounts, problems that need a person, this machine's clock against the database's, and silent workers.",
    ),
    "metrics": (
        "campaigns.commands.metrics:metrics",
        "Engagement metrics: our posts' numbers and others' use of the campaign hashtags.",
    ),
    "report": (
        "campaigns.commands.report:report",
        "Build the weekly report of CAMPAIGN (its slug or name; every campaign if omitted).",
    ),
    "users": (
        "campaigns.commands.users:users",
        "Dashboard users: viewers see, editors also retry, pause and apply, admins also read the audit log.",
    ),
    "web": (
        "campaigns.commands.web:web",
        "Serve the dashboard (log in with a user from `campaigns users add`).",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target[0].split(":")
        with loading_libraries():
            module = importlib.import_module(module_name)
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # What click.Group does, but from the summaries in COMMANDS: click would import every
        # command's module (Celery, SQLAlchemy, the HTTP stack...) to read its docstring.
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="campaign-scheduler")
def cli() -> None:
    """Plan, validate and publish social media campaigns written in YAML."""
