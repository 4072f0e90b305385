"""``/login`` and ``/logout``. The login form has no session yet: it is protected from other sites
by the Origin / Sec-Fetch-Site check, and from guessing by the throttle in ``users``."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from campaigns.store.db import session_scope
from campaigns.web.framework import Ctx, WebConfig, client_address, page, render, safe_next, same_origin
from campaigns.web.sessions import COOKIE, end_session, start_session
from campaigns.web.users import LoginThrottled, audit, authenticate


async def login_form(request: Request) -> Response:
    return render("login.html", next=safe_next(request.query_params.get("next")), error=None, name="")


async def login_submit(request: Request) -> Response:
    if not same_origin(request):
        return render("bare_error.html", 403, message="Refused: this request did not come from this site.")
    async with request.form() as data:
        form = {k: v for k, v in data.items() if isinstance(v, str)}
    return await run_in_threadpool(_login, request, form)


def _login(request: Request, form: dict[str, str]) -> Response:
    config: WebConfig = request.app.state.config
    name, password = form.get("name", "").strip(), form.get("password", "")
    target = safe_next(form.get("next"))
    address = client_address(request)
    now = config.now()
    try:
        with session_scope(config.engine) as db:
            user = authenticate(
                db, name=name, password=password, address=address, now=now, throttle=config.throttle
            )
            if user is not None:
                token = start_session(
                    db,
                    user=user,
                    now=now,
                    address=address,
                    lifetime=config.session_lifetime,
                    previous_token=request.cookies.get(COOKIE),
                )
                audit(db, actor=user.name, action="login", now=now, address=address)
    except LoginThrottled as e:
        return render("login.html", 429, next=target, error=f"{str(e).capitalize()}.", name=name)
    if user is None:
        error = "Wrong name or password."
        return render("login.html", 401, next=target, error=error, name=name)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(config.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@page("viewer")
def logout(ctx: Ctx) -> Response:
    end_session(ctx.db, token=ctx.request.cookies.get(COOKIE, ""), now=ctx.now)
    ctx.audit("logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
