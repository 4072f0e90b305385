"""The dashboard's Starlette app: ``create_app(config)`` (see ``framework.py`` for what every page checks)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from campaigns.store.web_models import AuditEntry
from campaigns.web import attention, calendar, engagement, health_page, login, pause, posts, reports, specs
from campaigns.web.framework import Ctx, WebConfig, page
from campaigns.web.limits import BodyLimit

STATIC = Path(__file__).parent / "static"


@page("viewer")
def home(ctx: Ctx) -> Response:  # noqa: ARG001  # the login check is the point
    return RedirectResponse("/calendar", status_code=303)


@page("admin")
def audit_page(ctx: Ctx) -> Response:
    entries = ctx.db.exec(
        select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc()).limit(300)
    ).all()
    return ctx.render("audit.html", title="Audit log", entries=entries)


ROUTES = [
    Route("/", home),
    Route("/login", login.login_form, methods=["GET"]),
    Route("/login", login.login_submit, methods=["POST"]),
    Route("/logout", login.logout, methods=["POST"]),
    Route("/calendar", calendar.calendar),
    Route("/posts/{post_id}", posts.post_detail),
    Route("/posts/{post_id}/image/{number:int}", posts.post_image),
    Route("/posts/{post_id}/retry", posts.post_retry, methods=["POST"]),
    Route("/attention", attention.attention),
    Route("/accounts/{platform}/{account}/release", attention.release_account, methods=["POST"]),
    Route("/deliveries/{delivery_id:int}/resend", attention.resend_report, methods=["POST"]),
    Route("/campaigns", pause.campaigns_page),
    Route("/pause", pause.confirm, methods=["GET"]),
    Route("/pause", pause.apply_pause, methods=["POST"]),
    Route("/specs", specs.specs_page),
    Route("/specs/apply", specs.specs_apply, methods=["POST"]),
    Route("/reports", reports.reports_page),
    Route("/engagement", engagement.engagement),
    Route("/reports/{campaign}/{week}/{name}/view", reports.report_view),
    Route("/reports/{campaign}/{week}/{name}", reports.report_file),
    Route("/health", health_page.health_page),
    Route("/audit", audit_page),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]


def create_app(
    config: WebConfig,
    *,
    account_check: attention.AccountCheck = attention.check_account,
    report_send: attention.ReportSend = attention.send_by_smtp,
) -> Starlette:
    app = Starlette(routes=ROUTES, middleware=[Middleware(BodyLimit)])
    app.state.config = config
    app.state.account_check = account_check  # tests give one that needs no platform
    app.state.report_send = report_send  # ... and one that needs no SMTP server
    return app
