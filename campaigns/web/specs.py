"""``/specs``: the problems of ``campaign_specs/`` (``path:line:col``) and what applying it would change.

The diff is ``campaigns diff``'s own (``compute_diff``); the apply button is ``campaigns run``'s
own step (``apply_specs_once``: an invalid or emptied folder changes nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select
from starlette.responses import Response

from campaigns.spec import load_specs
from campaigns.store.apply_now import apply_specs_once
from campaigns.store.diff import Kind
from campaigns.store.models import Campaign
from campaigns.store.spec_problems import current_spec_problems
from campaigns.store.sync import compute_diff, empty_folder_problem
from campaigns.web.framework import Ctx, page


def _when(zones: dict[str, str], slug: str, at: datetime | None) -> str:
    if at is None:
        return ""
    return at.astimezone(ZoneInfo(zones.get(slug, "UTC"))).strftime("%a %d %b %Y %H:%M %Z")


@page("viewer")
def specs_page(ctx: Ctx) -> Response:
    folder = ctx.config.specs_dir
    if not folder.is_dir():
        return ctx.render("specs.html", title="Specs", folder=folder, missing=True)
    loaded = load_specs([folder], today=ctx.now.astimezone(UTC).date())
    problems = list(loaded.problems)
    empty = empty_folder_problem(session=ctx.db, specs_dir=folder, files=loaded.files)
    if empty is not None:
        problems.insert(0, empty)
    diff = None
    rows: list[dict[str, str]] = []
    if loaded.ok and empty is None:
        diff = compute_diff(session=ctx.db, specs=loaded.campaigns, now=ctx.now)
        zones = {c.slug: c.timezone for c in ctx.db.exec(select(Campaign)).all()}
        zones |= {spec.slug: spec.timezone for spec in loaded.campaigns}
        for change in diff.posts:
            when = _when(zones, change.campaign, change.new_at or change.old_at)
            if change.kind == Kind.MOVED:
                when = f"{_when(zones, change.campaign, change.old_at)} → {when}"
            detail = change.note or (", ".join(change.fields) if change.fields else "")
            rows.append(
                {
                    "kind": str(change.kind),
                    "post": change.post_id,
                    "channel": change.channel,
                    "when": when,
                    "detail": detail,
                }
            )
    return ctx.render(
        "specs.html",
        title="Specs",
        folder=folder,
        missing=False,
        problems=problems,
        diff=diff,
        rows=rows,
        errors=sum(1 for p in problems if p.is_error),
        stored=current_spec_problems(session=ctx.db),
        applied=ctx.request.query_params.get("applied"),
    )


@page("editor")
def specs_apply(ctx: Ctx) -> Response:
    ctx.db.commit()  # applying takes SQLite's write lock in its own transaction
    applied = apply_specs_once(engine=ctx.config.engine, specs_dir=ctx.config.specs_dir, now=ctx.now)
    ctx.audit("apply", str(ctx.config.specs_dir), detail=applied.lines[-1])
    return ctx.render("applied.html", title="Specs applied", lines=applied.lines, outcome=applied.outcome)
