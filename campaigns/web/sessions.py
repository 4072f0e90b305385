"""Server-side login sessions: the cookie carries a random token, the database its SHA-256.

A session is refused from the moment it is revoked (logout, new password, user removed,
``campaigns users revoke``) or expires; every request looks it up, so nothing is cached.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaigns.store.web_models import User, WebSession

COOKIE = "campaigns_session"
DEFAULT_LIFETIME = timedelta(hours=12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Login:
    user: User
    session: WebSession


def start_session(
    session: Session,
    *,
    user: User,
    now: datetime,
    address: str | None,
    lifetime: timedelta = DEFAULT_LIFETIME,
    previous_token: str | None = None,
) -> str:
    """A new session for ``user``; returns the cookie's token. A session the browser had before
    (``previous_token``) is revoked: a login always gets a fresh token (no session fixation)."""
    if previous_token:
        end_session(session, token=previous_token, now=now)
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + lifetime,
            address=address,
        )
    )
    return token


def current_login(session: Session, *, token: str | None, now: datetime) -> Login | None:
    """The live session the token names (not revoked, not expired) and its user, or None."""
    if not token:
        return None
    row = session.exec(
        select(WebSession, User)
        .join(User, col(User.id) == col(WebSession.user_id))
        .where(col(WebSession.token_hash) == token_hash(token))
        .where(col(WebSession.revoked_at).is_(None), col(WebSession.expires_at) > now)
    ).first()
    return None if row is None else Login(user=row[1], session=row[0])


def end_session(session: Session, *, token: str, now: datetime) -> None:
    session.exec(
        update(WebSession)
        .where(col(WebSession.token_hash) == token_hash(token), col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def csrf_matches(login: Login, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(login.session.csrf_token.encode(), (sent or "").encode())
