"""Dashboard users, their passwords (Argon2id via pwdlib) and the login throttle.

Used by ``campaigns users`` and by the login page; every function takes ``now`` and a session and
never commits (the caller's ``session_scope`` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from campaigns.store.web_models import ROLES, AuditEntry, LoginAttempt, User, WebSession

MIN_PASSWORD = 10
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5  # within THROTTLE_WINDOW; then that name is refused until they age out
MAX_FAILURES_PER_ADDRESS = 20  # one address guessing many names

_HASHER = PasswordHash.recommended()  # Argon2id with the library's current parameters
# Verified when the name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


class UserError(ValueError):
    """A user cannot be added or changed as asked. One line, fit to show as is."""


class LoginThrottled(Exception):
    """Too many failed logins lately for this name or address."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"too many failed logins: try again in {_minutes(retry_after)}")
        self.retry_after = retry_after


def _minutes(delay: timedelta) -> str:
    minutes = max(1, -(-int(delay.total_seconds()) // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: one of {', '.join(ROLES)}")


def get_user(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(col(User.name) == name)).first()


def _existing(session: Session, name: str) -> User:
    user = get_user(session, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    target: str | None = None,
    detail: str | None = None,
    address: str | None = None,
) -> None:
    """One line of the audit log: who did what to what, when, from where."""
    session.add(AuditEntry(at=now, actor=actor, action=action, target=target, detail=detail, address=address))


def add_user(session: Session, *, name: str, role: str, password: str, now: datetime) -> User:
    """Raises UserError for a taken name, an unknown role or a short password."""
    _check_role(role)
    _check_password(password)
    if not name or not name.isprintable() or name != name.strip():
        raise UserError("a user name must be printable, without spaces around it")
    if get_user(session, name) is not None:
        raise UserError(f"there is already a user {name!r}")
    user = User(
        name=name, role=role, password_hash=_HASHER.hash(password), created_at=now, password_changed_at=now
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, name: str, password: str, now: datetime) -> int:
    """New password; every session of the user ends. Returns how many were revoked."""
    _check_password(password)
    user = _existing(session, name)
    user.password_hash = _HASHER.hash(password)
    user.password_changed_at = now
    session.add(user)
    return revoke_sessions(session, name=name, now=now)


def set_role(session: Session, *, name: str, role: str) -> None:
    _check_role(role)
    user = _existing(session, name)
    user.role = role
    session.add(user)


def remove_user(session: Session, *, name: str) -> None:
    user = _existing(session, name)
    session.exec(delete(WebSession).where(col(WebSession.user_id) == user.id))
    session.delete(user)


def revoke_sessions(session: Session, *, name: str, now: datetime) -> int:
    """End every open session of the user at once; returns how many there were."""
    user = _existing(session, name)
    result = session.exec(
        update(WebSession)
        .where(col(WebSession.user_id) == user.id, col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.name))).all())


@dataclass(frozen=True, slots=True)
class Throttle:
    failures_per_account: int = MAX_FAILURES_PER_ACCOUNT
    failures_per_address: int = MAX_FAILURES_PER_ADDRESS
    window: timedelta = THROTTLE_WINDOW


def _refusal(
    session: Session, name: str, address: str, now: datetime, throttle: Throttle
) -> timedelta | None:
    """How long until this name and address may try again, or None if they may now."""
    since = now - throttle.window
    waits = []
    for column, value, limit in (
        (LoginAttempt.name, name, throttle.failures_per_account),
        (LoginAttempt.address, address, throttle.failures_per_address),
    ):
        count, oldest = session.exec(
            select(func.count(), func.min(LoginAttempt.at)).where(
                col(column) == value, col(LoginAttempt.at) > since, col(LoginAttempt.succeeded).is_(False)
            )
        ).one()
        if count >= limit and oldest is not None:
            waits.append(oldest + throttle.window - now)
    return max(waits) if waits else None


def authenticate(
    session: Session,
    *,
    name: str,
    password: str,
    address: str,
    now: datetime,
    throttle: Throttle = Throttle(),
) -> User | None:
    """The user if the password is right; None if not. Every try is recorded; raises LoginThrottled
    (without checking the password) when the name or the address failed too often lately."""
    wait = _refusal(session, name, address, now, throttle)
    if wait is not None:
        raise LoginThrottled(wait)
    user = get_user(session, name)
    verified, new_hash = _HASHER.verify_and_update(password, user.password_hash if user else _DUMMY_HASH)
    ok = verified and user is not None
    session.add(LoginAttempt(name=name[:200], address=address, at=now, succeeded=ok))
    if not ok or user is None:
        return None
    if new_hash is not None:  # the library's parameters were raised since: store the stronger hash
        user.password_hash = new_hash
        session.add(user)
    return user
