"""What every page shares: the login check, roles, CSRF and Origin checks, templates, the pause banner.

A page is a plain function ``handler(ctx) -> Response`` wrapped by ``page(role)``: it runs in a
worker thread with a database session (read-only for GET, one committed transaction for POST),
and only after the wrapper checked, in this order, for a POST the Origin / Sec-Fetch-Site headers,
then the session cookie (none or a dead one: back to the login page), the role (403) and, for a
POST, the form's CSRF token (403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from campaigns.health import Health
from campaigns.store.db import session_scope
from campaigns.store.models import Campaign
from campaigns.web.sessions import COOKIE, DEFAULT_LIFETIME, Login, csrf_matches, current_login
from campaigns.web.users import Throttle, audit

RANKS = {"viewer": 0, "editor": 1, "admin": 2}

TEMPLATES = Environment(
    loader=PackageLoader("campaigns.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class WebConfig:
    """What the dashboard works on. ``now`` is a function so tests can set the clock."""

    engine: Engine
    specs_dir: Path
    data_dir: Path
    now: Callable[[], datetime]
    health: Callable[[], Health] | None = None  # None: the health page says it cannot check
    session_lifetime: timedelta = DEFAULT_LIFETIME
    throttle: Throttle = field(default_factory=Throttle)


@dataclass
class Ctx:
    request: Request
    config: WebConfig
    login: Login
    db: Session
    form: dict[str, str]
    now: datetime

    @property
    def user(self) -> str:
        return self.login.user.name

    def can(self, role: str) -> bool:
        return RANKS[self.login.user.role] >= RANKS[role]

    def audit(self, action: str, target: str | None = None, detail: str | None = None) -> None:
        audit(
            self.db,
            actor=self.user,
            action=action,
            target=target,
            detail=detail,
            now=self.now,
            address=client_address(self.request),
        )

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("title", "")
        return render(
            template,
            status_code=status_code,
            user=self.login.user,
            csrf=self.login.session.csrf_token,
            paused=paused_campaigns(self.db),
            can_edit=self.can("editor"),
            is_admin=self.can("admin"),
            path=self.request.url.path,
            **values,
        )


def render(template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    body = TEMPLATES.get_template(template).render(**values)
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def same_origin(request: Request) -> bool:
    """A state change must come from one of our own pages: the Origin header, if the browser sent
    one, names this site; otherwise Sec-Fetch-Site says same-origin (or "none": typed by the user).
    A request with neither header is refused: every browser this dashboard supports sends one."""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == own
    return site is not None


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def paused_campaigns(db: Session) -> list[Campaign]:
    """Current campaigns held by their spec or an operator: the banner on every page lists them."""
    stmt = (
        select(Campaign)
        .where(col(Campaign.removed_at).is_(None))
        .where(or_(col(Campaign.spec_paused).is_(True), col(Campaign.operator_paused).is_(True)))
        .order_by(col(Campaign.slug))
    )
    return list(db.exec(stmt).all())


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def forbidden(ctx: Ctx, why: str) -> HTMLResponse:
    return ctx.render("error.html", status_code=403, title="Not allowed", message=why)


Handler = Callable[[Ctx], Response]


def page(role: str = "viewer") -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap ``handler`` with the checks every page needs (see the module's docstring)."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            form: dict[str, str] = {}
            if request.method == "POST":
                if not same_origin(request):
                    return render(
                        "bare_error.html", 403, message="Refused: this request did not come from this site."
                    )
                async with request.form() as data:
                    form = {k: v for k, v in data.items() if isinstance(v, str)}
            return await run_in_threadpool(_serve, request, handler, role, form)

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


def _serve(request: Request, handler: Handler, role: str, form: dict[str, str]) -> Response:
    config: WebConfig = request.app.state.config
    now = config.now()
    post = request.method == "POST"
    with session_scope(config.engine, read_only=not post) as db:
        login = current_login(db, token=request.cookies.get(COOKIE), now=now)
        if login is None:
            return to_login(request)
        ctx = Ctx(request=request, config=config, login=login, db=db, form=form, now=now)
        if not ctx.can(role):
            return forbidden(ctx, f"Your role ({login.user.role}) cannot do this; ask an admin.")
        if post and not csrf_matches(login, form.get("csrf_token")):
            return forbidden(
                ctx, "The form had expired or did not come from this site: reload and try again."
            )
        return handler(ctx)
