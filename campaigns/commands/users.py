"""``campaigns users``: who may log in to the dashboard, with which role."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click
from sqlmodel import Session

from campaigns.clock import utc_now
from campaigns.commands.database import friendly
from campaigns.commands.database import open_engine as _engine
from campaigns.store.db import session_scope
from campaigns.store.web_models import ROLES


def _now() -> datetime:
    return utc_now()


@contextmanager
def _session() -> Iterator[Session]:
    from campaigns.web.users import UserError

    try:
        with _engine() as engine, session_scope(engine) as session:
            yield session
    except UserError as e:
        raise click.ClickException(str(e)) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


STDIN = click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")


@click.group()
def users() -> None:
    """Dashboard users: viewers see, editors also retry, pause and apply, admins also read the audit log."""


@users.command()
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@STDIN
@friendly
def add(name: str, role: str, password_stdin: bool) -> None:
    """Add a user (asks for the password twice)."""
    from campaigns.web.users import add_user, audit

    password = _password(password_stdin)
    with _session() as session:
        add_user(session, name=name, role=role, password=password, now=_now())
        audit(session, actor="cli", action="users add", target=name, detail=role, now=_now())
    click.echo(f"Added {name} ({role}). They can log in to the dashboard now.")


@users.command()
@click.argument("name")
@STDIN
@friendly
def passwd(name: str, password_stdin: bool) -> None:
    """Set a user's password; their open sessions end at once."""
    from campaigns.web.users import audit, set_password

    password = _password(password_stdin)
    with _session() as session:
        ended = set_password(session, name=name, password=password, now=_now())
        audit(session, actor="cli", action="users passwd", target=name, now=_now())
    click.echo(f"New password for {name}; {ended} open session{'s' if ended != 1 else ''} ended.")


@users.command()
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@friendly
def role(name: str, role: str) -> None:
    """Change a user's role (takes effect on their next request)."""
    from campaigns.web.users import audit, set_role

    with _session() as session:
        set_role(session, name=name, role=role)
        audit(session, actor="cli", action="users role", target=name, detail=role, now=_now())
    click.echo(f"{name} is now {role}.")


@users.command()
@click.argument("name")
@friendly
def remove(name: str) -> None:
    """Remove a user; their open sessions end at once."""
    from campaigns.web.users import audit, remove_user

    with _session() as session:
        remove_user(session, name=name)
        audit(session, actor="cli", action="users remove", target=name, now=_now())
    click.echo(f"Removed {name}.")


@users.command()
@click.argument("name")
@friendly
def revoke(name: str) -> None:
    """End every open session of a user (they must log in again)."""
    from campaigns.web.users import audit, revoke_sessions

    with _session() as session:
        ended = revoke_sessions(session, name=name, now=_now())
        audit(session, actor="cli", action="users revoke", target=name, now=_now())
    click.echo(f"{ended} open session{'s' if ended != 1 else ''} of {name} ended.")


@users.command("list")
@friendly
def list_() -> None:
    """List the users and their roles."""
    from campaigns.web.users import list_users

    with _session() as session:
        rows = list_users(session)
    for user in rows:
        click.echo(f"{user.name:<24} {user.role:<7} since {user.created_at:%Y-%m-%d}")
    if not rows:
        click.echo("No users yet: `campaigns users add NAME --role admin` creates the first.")
