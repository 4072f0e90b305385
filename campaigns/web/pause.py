"""``/pause``: pause or resume one campaign or all of them, after a confirmation page.

The change is ``campaigns pause``'s own function: the dispatcher skips the campaign's posts from
its next tick (1 s). Every page shows a banner while any campaign is paused.
"""

from __future__ import annotations

from sqlmodel import col, select
from starlette.responses import RedirectResponse, Response

from campaigns.store.models import Campaign
from campaigns.store.queries import set_operator_pause
from campaigns.store.status_report import NotFound
from campaigns.web.framework import Ctx, page

ACTIONS = ("pause", "resume")


def _what(source: dict[str, str]) -> tuple[str, str | None] | None:
    action = source.get("action", "")
    campaign = source.get("campaign") or None
    if action not in ACTIONS:
        return None
    return action, campaign


@page("viewer")
def campaigns_page(ctx: Ctx) -> Response:
    rows = ctx.db.exec(
        select(Campaign).where(col(Campaign.removed_at).is_(None)).order_by(col(Campaign.slug))
    ).all()
    return ctx.render("campaigns.html", title="Campaigns", campaigns=rows)


@page("editor")
def confirm(ctx: Ctx) -> Response:
    what = _what(dict(ctx.request.query_params))
    if what is None:
        return ctx.render("error.html", 400, title="Pause", message="Choose pause or resume.")
    action, slug = what
    campaign = ctx.db.get(Campaign, slug) if slug else None
    if slug and campaign is None:
        return ctx.render("error.html", 404, title="Pause", message=f"No campaign {slug!r}.")
    return ctx.render("confirm_pause.html", title=f"Confirm: {action}", action=action, campaign=campaign)


@page("editor")
def apply_pause(ctx: Ctx) -> Response:
    what = _what(ctx.form)
    if what is None or ctx.form.get("confirm") != "yes":
        return ctx.render("error.html", 400, title="Pause", message="Nothing changed: it was not confirmed.")
    action, slug = what
    try:
        result = set_operator_pause(session=ctx.db, slug=slug, paused=action == "pause", now=ctx.now)
    except NotFound as e:
        return ctx.render("error.html", 404, title="Pause", message=str(e))
    ctx.audit(action, slug or "all", detail=", ".join(result.changed) or "no change")
    return RedirectResponse("/campaigns", status_code=303)
