"""``/attention``: what needs a person, each with a one-line reason and its action.

Failed and missed posts can be retried (``campaigns retry``'s guarded function); unconfirmed posts
are being checked with the platform by the service itself; an account whose credentials were
rejected can be released once it answers again (what ``campaigns accounts check`` does); a rate
limit is the platform's to lift; a weekly report that could not be e-mailed can be resent now
(``campaigns.reports.resend``; the hourly job also retries it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import or_
from sqlalchemy import select as core_select
from sqlmodel import col, select
from starlette.responses import RedirectResponse, Response

from campaigns.platforms import PlatformError, platform_for
from campaigns.settings import Settings, SettingsError, get_settings
from campaigns.store.account_states import clear_credentials_flag
from campaigns.store.hot_path import table_of
from campaigns.store.models import AccountState, Campaign, Post, PostStatus
from campaigns.store.problems import current_problems, failing
from campaigns.store.spec_problems import current_spec_problems
from campaigns.web.calendar import post_href
from campaigns.web.framework import Ctx, page

OTHER_KINDS = ("read budget spent",)  # undelivered reports have their own section, with Resend
SHOWN = 200  # per kind: the page stays fast; the count says how many there are


@dataclass(frozen=True, slots=True)
class PostRow:
    post_id: str
    scheduled_at: datetime
    campaign: str
    reason: str

    @property
    def href(self) -> str:
        return post_href(self.post_id)


def _posts(ctx: Ctx, status: PostStatus) -> list[PostRow]:
    """Only the columns shown (Core): hundreds of ORM rows with JSON columns cost more than the page."""
    posts, campaigns = table_of(Post), table_of(Campaign)
    rows = ctx.db.connection().execute(
        core_select(
            posts.c.id, posts.c.scheduled_at, campaigns.c.name, posts.c.status_reason, posts.c.last_error
        )
        .join(campaigns, campaigns.c.slug == posts.c.campaign_slug)
        .where(posts.c.status == status.value)
        .order_by(posts.c.scheduled_at.desc(), posts.c.id)
        .limit(SHOWN)
    )
    return [
        PostRow(post_id, at, name, one_line(reason or error or "no reason recorded"))
        for post_id, at, name, reason, error in rows
    ]


def one_line(text: str, width: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def held_accounts(ctx: Ctx, now: datetime) -> list[AccountState]:
    return list(
        ctx.db.exec(
            select(AccountState)
            .where(
                or_(col(AccountState.attention_needed).is_(True), col(AccountState.rate_limited_until) > now)
            )
            .order_by(col(AccountState.platform), col(AccountState.account))
        ).all()
    )


@page("viewer")
def attention(ctx: Ctx) -> Response:
    sections = {
        "failed": _posts(ctx, PostStatus.FAILED),
        "unconfirmed": _posts(ctx, PostStatus.UNCONFIRMED),
        "missed": _posts(ctx, PostStatus.MISSED),
    }
    accounts = held_accounts(ctx, ctx.now)
    problems = current_spec_problems(session=ctx.db)
    # Spent read budgets, as `campaigns status` lists them; undelivered reports, with Resend.
    others = [p for p in current_problems(session=ctx.db, now=ctx.now) if p.kind in OTHER_KINDS]
    deliveries = failing(session=ctx.db)
    total = sum(len(rows) for rows in sections.values()) + len(accounts) + (1 if problems else 0)
    total += len(others) + len(deliveries)
    return ctx.render(
        "attention.html",
        title="Needs attention",
        sections=sections,
        accounts=accounts,
        problems=problems,
        others=others,
        deliveries=deliveries,
        total=total,
        now=ctx.now,
        message=ctx.request.query_params.get("message"),
    )


AccountCheck = Callable[[Settings, str, str], str | None]  # platform, account -> None (works) or why not


def check_account(settings: Settings, platform: str, account: str) -> str | None:
    """Ask the platform who the account is, as ``campaigns accounts check`` does."""
    try:
        config = settings.account("twitter" if platform == "twitter" else "facebook", account)
    except SettingsError as e:
        return str(e)
    client = platform_for(config, timeout=settings.http_timeout, graph_version=settings.graph_api_version)
    try:
        client.check()
    except PlatformError as e:
        return f"{e.kind}: {e.message}"
    finally:
        client.close()
    return None


@page("editor")
def release_account(ctx: Ctx) -> Response:
    platform = ctx.request.path_params["platform"]
    account = ctx.request.path_params["account"]
    ctx.db.commit()  # no transaction (SQLite's write lock) stays open across the platform call
    check: AccountCheck = ctx.request.app.state.account_check
    why_not = check(get_settings(), platform, account)
    if why_not is not None:
        message = f"{platform} account {account} still does not work ({why_not}): it stays held."
    elif clear_credentials_flag(session=ctx.db, platform=platform, account=account, now=ctx.now):
        ctx.audit("release", f"{platform}:{account}")
        message = f"{platform} account {account} works again: its held posts go out from the next tick."
    else:
        message = f"{platform} account {account} was not held for its credentials."
    return RedirectResponse(f"/attention?message={_quote(message)}", status_code=303)


ReportSend = Callable[[EmailMessage], None]


def send_by_smtp(message: EmailMessage) -> None:
    from campaigns.reports.mail import send

    send(get_settings(), message)


@page("editor")
def resend_report(ctx: Ctx) -> Response:
    from campaigns.reports.resend import resend

    ctx.db.commit()  # no transaction (SQLite's write lock) stays open across the SMTP call
    send: ReportSend = ctx.request.app.state.report_send
    delivery_id = int(ctx.request.path_params["delivery_id"])
    message = resend(
        engine=ctx.config.engine, settings=get_settings(), delivery_id=delivery_id, now=ctx.now, send=send
    )
    ctx.audit("resend", f"report delivery {delivery_id}")
    return RedirectResponse(f"/attention?message={_quote(message)}", status_code=303)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
