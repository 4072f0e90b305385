"""``/health``: the same checks as ``campaigns health``, red or green with the reason."""

from __future__ import annotations

from starlette.responses import Response

from campaigns.web.framework import Ctx, page


@page("viewer")
def health_page(ctx: Ctx) -> Response:
    check = ctx.config.health
    if check is None:
        return ctx.render("health.html", title="Health", health=None)
    ctx.db.commit()  # the worker ping waits up to a second: hold no transaction meanwhile
    return ctx.render("health.html", title="Health", health=check())
